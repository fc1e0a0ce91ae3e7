"""Customer reactions and quoted replies are shown on the message they point to."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import App, CapturedEvents, eventually
from tests.media.helpers import PHONE, customer_sends


async def business_message(admin: httpx.AsyncClient, conv_id: int, body: str) -> dict[str, Any]:
    """An operator's reply, once the sandbox delivered it (it then has a provider id)."""
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": body})
    assert sent.status_code == 201, sent.text

    async def delivered() -> dict[str, Any] | None:
        outbound = (await admin.get("/api/sandbox/1/outbound", params={"to": PHONE})).json()
        mine = [m for m in outbound if m["id"] == sent.json()["id"]]
        return mine[0] if mine and mine[0]["providerMessageId"] else None

    found: dict[str, Any] = await eventually(delivered)
    return found


async def messages(admin: httpx.AsyncClient, conv_id: int) -> list[dict[str, Any]]:
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_a_reaction_shows_on_its_target(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    first = await customer_sends(admin, text="hola")
    conv_id = first.json()["conversation"]["id"]
    reply = await business_message(admin, conv_id, "¡Hola! ¿En qué ayudo?")
    before = (await admin.get(f"/api/conversations/{conv_id}")).json()
    events.clear()
    reacted = await customer_sends(
        admin, reaction={"emoji": "👍", "messageId": reply["providerMessageId"]}
    )
    assert reacted.status_code == 201, reacted.text
    reaction = reacted.json()["message"]
    assert reaction["type"] == "reaction"
    assert reaction["payload"] == {"reaction": {"emoji": "👍", "targetId": reply["id"]}}
    items = {m["id"]: m for m in await messages(admin, conv_id)}
    assert items[reply["id"]]["reactions"] == [{"emoji": "👍", "direction": "in"}]
    # Not news: no bubble, no unread count, nobody newly waiting.
    assert events.named("message:new") == []
    (update,) = events.named("message:update")
    assert update.payload["message"]["id"] == reply["id"]
    assert update.payload["message"]["reactions"] == [{"emoji": "👍", "direction": "in"}]
    after = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert after["unreadCount"] == before["unreadCount"]
    assert after["lastMessagePreview"] == before["lastMessagePreview"]
    # A new emoji replaces it; an empty one takes it back.
    await customer_sends(admin, reaction={"emoji": "❤️", "messageId": reply["providerMessageId"]})
    items = {m["id"]: m for m in await messages(admin, conv_id)}
    assert items[reply["id"]]["reactions"] == [{"emoji": "❤️", "direction": "in"}]
    await customer_sends(admin, reaction={"emoji": "", "messageId": reply["providerMessageId"]})
    items = {m["id"]: m for m in await messages(admin, conv_id)}
    assert items[reply["id"]]["reactions"] == []
    assert len(events.named("message:update")) == 3


async def test_a_reaction_to_an_old_conversation_opens_nothing(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = (await customer_sends(admin, text="hola")).json()["conversation"]["id"]
    reply = await business_message(admin, conv_id, "Listo, resuelto.")
    assert (await admin.post(f"/api/conversations/{conv_id}/close")).status_code == 200
    reacted = await customer_sends(
        admin, reaction={"emoji": "🙏", "messageId": reply["providerMessageId"]}
    )
    assert reacted.status_code == 201
    assert reacted.json()["conversation"]["id"] == conv_id
    assert reacted.json()["conversation"]["status"] == "closed"
    active = (await admin.get("/api/conversations")).json()
    assert active["total"] == 0
    items = {m["id"]: m for m in await messages(admin, conv_id)}
    assert items[reply["id"]]["reactions"] == [{"emoji": "🙏", "direction": "in"}]


async def test_a_reaction_to_an_unknown_message_is_kept(app: App, admin: httpx.AsyncClient) -> None:
    reacted = await customer_sends(admin, reaction={"emoji": "😮", "messageId": "sb-out-gone"})
    assert reacted.status_code == 201, reacted.text
    assert reacted.json()["message"]["payload"] == {"reaction": {"emoji": "😮", "targetId": None}}


async def test_quoted_replies_both_ways(app: App, admin: httpx.AsyncClient) -> None:
    first = await customer_sends(admin, text="¿Abren el sábado?", id="wamid.question")
    conv_id = first.json()["conversation"]["id"]
    question_id = first.json()["message"]["id"]
    # The operator answers quoting the question.
    answer = await admin.post(
        f"/api/conversations/{conv_id}/messages",
        json={"body": "Sí, de 9 a 13", "quotedId": question_id},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["quoted"] == {
        "id": question_id,
        "body": "¿Abren el sábado?",
        "type": "text",
        "direction": "in",
    }
    delivered = await business_message(admin, conv_id, "¿Algo más?")
    # The customer replies quoting the operator's message (by its provider id).
    quoted = await customer_sends(
        admin, text="No, gracias", quotedId=delivered["providerMessageId"]
    )
    assert quoted.status_code == 201, quoted.text
    assert quoted.json()["message"]["quoted"]["id"] == delivered["id"]
    assert quoted.json()["message"]["quoted"]["direction"] == "out"
    listed = {m["id"]: m for m in await messages(admin, conv_id)}
    assert listed[quoted.json()["message"]["id"]]["quoted"]["body"] == "¿Algo más?"
    assert listed[answer.json()["id"]]["quoted"]["id"] == question_id
    # Quoting what the desk does not know keeps the message, without a quote.
    lost = await customer_sends(admin, text="¿y esto?", quotedId="wamid.never-seen")
    assert lost.status_code == 201
    assert lost.json()["message"]["quoted"] is None


async def test_notes_and_other_conversations_cannot_be_quoted(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv_id = (await customer_sends(admin, text="hola")).json()["conversation"]["id"]
    note = await admin.post(f"/api/conversations/{conv_id}/notes", json={"body": "VIP"})
    refused = await admin.post(
        f"/api/conversations/{conv_id}/messages",
        json={"body": "hola", "quotedId": note.json()["id"]},
    )
    assert refused.status_code == 422
    assert "private note" in refused.json()["detail"]
    missing = await admin.post(
        f"/api/conversations/{conv_id}/messages", json={"body": "hola", "quotedId": 999999}
    )
    assert missing.status_code == 422
