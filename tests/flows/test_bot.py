"""The bot in conversations, on every database: greeting through the outbox, the
timeline, hand-over into routing and assignment, version pinning, interactive replies,
what a menu does not understand, webhooks after commit, and the race with an operator.

Until ingest calls the bot itself, `customer_says` plays the wiring: the sandbox API
stores the message, then the bot takes its turn on it in a transaction of its own."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlalchemy import func, select

from helpline.clock import utcnow
from helpline.conversations.models import Conversation
from helpline.flows import bot
from helpline.flows.models import FlowRun
from helpline.integrations.models import WebhookDelivery
from helpline.messages.models import Message
from helpline.presence import service as presence
from tests.conftest import App, CapturedEvents, eventually, make_user
from tests.flows.helpers import make_area, published_flow, small_tree

PHONE = "+5491155550101"


async def customer_says(
    app: App,
    admin: httpx.AsyncClient,
    text: str,
    phone: str = PHONE,
    *,
    type_: str = "text",
    reply_id: str | None = None,
) -> tuple[int, bool]:
    """The customer writes through the sandbox; then the bot's turn, as ingest will take
    it (once ingest calls the bot itself, the second call finds the message answered).
    Returns (conversation id, whether the bot answered this message)."""
    payload: dict[str, Any] = {"from": phone, "text": text, "type": type_}
    if reply_id:
        payload["replyId"] = reply_id
    response = await admin.post("/api/sandbox/1/inbound", json=payload)
    assert response.status_code == 201, response.text
    conv_id = response.json()["conversation"]["id"]
    msg_id = response.json()["message"]["id"]
    async with app.db.sessionmaker() as session:
        conv = await session.get(Conversation, conv_id)
        msg = await session.get(Message, msg_id)
        assert conv is not None and msg is not None
        msg.type = type_  # what ingest stores, whatever the sandbox passes on today
        if reply_id:
            msg.payload = {"replyId": reply_id}
        earlier = await session.scalar(
            select(func.count()).where(Message.conversation_id == conv_id, Message.id < msg_id)
        )
        await bot.on_inbound(session, conv, msg, opened=not earlier)
        await session.commit()
        answered = await session.scalar(
            select(FlowRun.id).where(
                FlowRun.conversation_id == conv_id, FlowRun.last_message_id == msg_id
            )
        )
    return conv_id, answered is not None


async def stored_late(app: App, conv_id: int, text: str) -> int:
    """A customer message ingest stored whose bot turn has not come yet (the id)."""
    async with app.db.sessionmaker() as session:
        conv = await session.get(Conversation, conv_id)
        assert conv is not None
        msg = Message(
            conversation_id=conv_id,
            channel_id=conv.channel_id,
            direction="in",
            sender="contact",
            body=text,
            status="received",
            created_at=utcnow(),
        )
        session.add(msg)
        await session.commit()
        return msg.id


async def bot_lines(admin: httpx.AsyncClient, phone: str = PHONE) -> list[dict[str, Any]]:
    """What reached the customer's phone, once the delivery worker sent it all."""

    async def delivered() -> list[dict[str, Any]] | None:
        sent = (await admin.get("/api/sandbox/1/outbound", params={"to": phone})).json()
        done = all(m["status"] in ("delivered", "read") for m in sent)
        return sent if done else None

    found: list[dict[str, Any]] = await eventually(delivered)
    return found


async def conversation(admin: httpx.AsyncClient, conv_id: int) -> dict[str, Any]:
    result: dict[str, Any] = (await admin.get(f"/api/conversations/{conv_id}")).json()
    return result


async def timeline(admin: httpx.AsyncClient, conv_id: int) -> list[tuple[Any, ...]]:
    events = (await admin.get(f"/api/conversations/{conv_id}/events")).json()
    return [(e["type"], e["oldValue"], e["newValue"], e["note"]) for e in events]


@pytest.fixture
async def ventas(app: App, admin: httpx.AsyncClient) -> int:
    return await make_area(admin, "Ventas")


async def test_the_bot_greets_through_the_outbox_and_the_timeline_shows_it(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents, ventas: int
) -> None:
    await published_flow(admin, small_tree(ventas))
    conv_id, handled = await customer_says(app, admin, "hola")
    assert handled
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "bot" and conv["waitingSince"] is None
    sent = await bot_lines(admin)
    assert [m["body"] for m in sent] == ["Hola", "¿Qué necesitás?\n\n1. Ventas\n2. Persona"]
    menu = sent[1]
    assert menu["type"] == "interactive"  # the sandbox shows buttons
    assert menu["payload"] == {
        "kind": "menu",
        "nodeKey": "menu",
        "style": "buttons",
        "text": "¿Qué necesitás?",
        "options": [
            {"id": "menu:1", "number": 1, "label": "Ventas"},
            {"id": "menu:2", "number": 2, "label": "Persona"},
        ],
    }
    assert ("status", "pending", "bot", None) in await timeline(admin, conv_id)
    assert ("bot_started", None, "hola", None) in await timeline(admin, conv_id)
    live = [e.payload["message"] for e in events.named("message:new")]
    assert [m["body"] for m in live if m["sender"] == "bot"] == [m["body"] for m in sent]
    assert all("role:ADMIN" in e.rooms for e in events.named("message:new"))
    thread = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    assert thread[-1]["payload"]["style"] == "buttons"


async def test_no_published_flow_no_bot(app: App, admin: httpx.AsyncClient, ventas: int) -> None:
    await admin.post("/api/flows", json={"name": "Borrador", "definition": small_tree(ventas)})
    conv_id, handled = await customer_says(app, admin, "hola")
    assert not handled
    assert (await conversation(admin, conv_id))["status"] == "pending"


async def test_hand_over_routes_the_conversation_and_an_operator_gets_it(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    laura = await make_user(admin, "laura")
    await admin.patch(f"/api/users/{laura['id']}", json={"areaIds": [ventas]})
    await presence.connected(app.db, laura["id"], "sid-laura")
    await published_flow(admin, small_tree(ventas))
    conv_id, _ = await customer_says(app, admin, "hola")
    _, handled = await customer_says(app, admin, "1")
    assert handled
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "active" and conv["areaId"] == ventas
    assert conv["assignedTo"]["name"] == "Laura"
    steps = await timeline(admin, conv_id)
    assert ("bot_choice", None, "menu", "1. Ventas") in steps
    assert ("bot_handover", "ventas", f"area:{ventas}", "redirect") in steps
    assert ("status", "bot", "pending", None) in steps
    assert [s[0] for s in steps].index("auto_assigned") > [s[0] for s in steps].index(
        "bot_handover"
    )
    run = (await admin.get(f"/api/flows/runs/{conv_id}")).json()
    assert run["status"] == "handed_over" and run["nodeKey"] is None
    # The bot is done with it: what the customer writes now is for Laura.
    _, handled = await customer_says(app, admin, "gracias")
    assert not handled


async def test_asking_for_a_person_goes_to_the_default_area(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    await published_flow(admin, small_tree(ventas))
    conv_id, _ = await customer_says(app, admin, "quiero hablar con un asesor")
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "pending" and conv["areaId"] == ventas
    assert conv["waitingSince"] is not None
    assert (await bot_lines(admin))[-1]["body"].startswith("Te comunicamos con una persona")


async def test_a_tapped_button_picks_its_option(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    await published_flow(admin, small_tree(ventas))
    conv_id, _ = await customer_says(app, admin, "hola")
    await customer_says(app, admin, "Persona", type_="interactive", reply_id="menu:1")
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "pending" and conv["areaId"] == ventas  # option 1, not "Persona"
    assert ("bot_choice", None, "menu", "1. Ventas") in await timeline(admin, conv_id)


async def test_media_stickers_emoji_and_huge_texts_take_the_invalid_path(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    soporte = await make_area(admin, "Soporte")
    tree = small_tree(ventas)
    tree["settings"]["defaultAreaId"] = soporte
    await published_flow(admin, tree)
    conv_id, _ = await customer_says(app, admin, "hola")
    await customer_says(app, admin, "", type_="image")
    await customer_says(app, admin, "😀")
    assert (await admin.get(f"/api/flows/runs/{conv_id}")).json()["invalidCount"] == 2
    _, handled = await customer_says(app, admin, "x" * 4000)
    assert handled
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "pending" and conv["areaId"] == soporte
    bodies = [m["body"] for m in await bot_lines(admin)]
    assert bodies.count(bodies[1]) == 3  # the menu, then twice again after invalid answers
    assert ("bot_invalid", None, "menu", "2/3") in await timeline(admin, conv_id)


ASK_AND_END: dict[str, Any] = {
    "nodes": [
        {
            "key": "nombre",
            "type": "action",
            "action": "ask",
            "field": "name",
            "text": "¿Cómo te llamás?",
            "children": [
                {
                    "key": "etiqueta",
                    "type": "action",
                    "action": "tag",
                    "tag": "nuevo",
                    "children": [
                        {
                            "key": "aviso",
                            "type": "action",
                            "action": "webhook",
                            "url": "WEBHOOK",
                            "children": [{"key": "fin", "type": "end", "text": "Chau {name}"}],
                        }
                    ],
                }
            ],
        }
    ]
}


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A local HTTP server that records the JSON posted to it."""
    received: list[dict[str, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    server = web.Application()
    server.router.add_post("/hook", hook)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/hook", received
    await runner.cleanup()


async def test_a_name_a_tag_a_webhook_after_commit_and_an_end(
    app: App,
    admin: httpx.AsyncClient,
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = receiver
    tree = copy.deepcopy(ASK_AND_END)
    tree["nodes"][0]["children"][0]["children"][0]["url"] = url
    await published_flow(admin, tree)
    conv_id, _ = await customer_says(app, admin, "hola")
    await customer_says(app, admin, "🙂")  # no letters: asked again
    await customer_says(app, admin, "  Ana   María ")

    async def posted() -> bool:
        return bool(received)

    await eventually(posted)  # the durable queue's worker posts it after the commit
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "closed" and conv["contact"]["name"] == "Ana María"
    assert [m["body"] for m in await bot_lines(admin)][-1] == "Chau Ana María"
    assert len(received) == 1
    assert received[0]["data"] == {"name": "Ana María"} and received[0]["tags"] == ["nuevo"]
    assert received[0]["contact"] == {"phone": PHONE, "name": "Ana María"}
    assert received[0]["conversation"]["id"] == conv_id
    assert received[0]["event"] == "flow.webhook" and received[0]["id"]
    run = (await admin.get(f"/api/flows/runs/{conv_id}")).json()
    assert run["status"] == "closed" and run["tags"] == ["nuevo"]
    steps = await timeline(admin, conv_id)
    assert ("bot_data", None, "nombre", "name: Ana María") in steps
    assert ("closed", "bot", "closed", "bot: fin") in steps


async def test_a_failing_webhook_does_not_break_the_conversation(
    app: App, admin: httpx.AsyncClient
) -> None:
    tree = copy.deepcopy(ASK_AND_END)
    tree["nodes"][0]["children"][0]["children"][0]["url"] = "http://127.0.0.1:9/nobody"
    await published_flow(admin, tree)
    conv_id, _ = await customer_says(app, admin, "hola")
    await customer_says(app, admin, "Ana")
    assert (await conversation(admin, conv_id))["status"] == "closed"
    # The call waits in the durable queue for a receiver that answers.
    async with app.db.sessionmaker() as session:
        row = await session.scalar(select(WebhookDelivery))
    assert row is not None and row.event == "flow.webhook" and row.status == "pending"


async def test_a_conversation_finishes_the_version_it_started(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    flow = await published_flow(admin, small_tree(ventas, "Hola v1"))
    first, _ = await customer_says(app, admin, "hola")
    v2 = small_tree(ventas, "Hola v2")
    v2["nodes"][0]["children"][0]["options"][0] = {"number": 1, "label": "Fin", "target": "fin"}
    v2["nodes"][0]["children"][0]["children"] = [{"key": "fin", "type": "end", "text": "v2"}]
    await admin.put(f"/api/flows/{flow['id']}/tree", json=v2)
    assert (await admin.post(f"/api/flows/{flow['id']}/publish")).json()["publishedVersion"] == 2
    refused = await admin.delete(f"/api/flows/{flow['id']}")
    assert refused.status_code == 409 and "1 conversation" in refused.json()["detail"]

    second, _ = await customer_says(app, admin, "hola", phone="+5491155550102")
    await customer_says(app, admin, "1")  # the first customer, still in v1
    assert (await conversation(admin, first))["status"] == "pending"  # v1: redirect
    assert (await admin.get(f"/api/flows/runs/{first}")).json()["version"] == 1
    await customer_says(app, admin, "1", phone="+5491155550102")
    assert (await conversation(admin, second))["status"] == "closed"  # v2: end
    assert (await admin.get(f"/api/flows/runs/{second}")).json()["version"] == 2
    assert (await admin.delete(f"/api/flows/{flow['id']}")).status_code == 204


async def test_an_operator_reply_ends_the_bot_and_a_late_bot_step_does_nothing(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    await published_flow(admin, small_tree(ventas))
    conv_id, _ = await customer_says(app, admin, "hola")
    msg_id = await stored_late(app, conv_id, "1")
    async with app.db.sessionmaker() as session:
        stale = await session.get(Conversation, conv_id)  # read while the bot still had it
        msg = await session.get(Message, msg_id)
        assert stale is not None and msg is not None and stale.status == "bot"
        await session.commit()  # hand the connection back (SQLite has one)
        reply = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola!"})
        assert reply.status_code == 201
        assert await bot.on_inbound(session, stale, msg, False) is False
        await session.commit()
    assert stale.status == "active"  # refreshed under the lock
    conv = await conversation(admin, conv_id)
    assert conv["status"] == "active" and conv["assignedTo"]["name"] == "Test Admin"
    bodies = [m["body"] for m in await bot_lines(admin)]
    assert bodies[-1] == "Hola!" and len(bodies) == 3  # greeting, menu, the operator
    assert (await admin.get(f"/api/flows/runs/{conv_id}")).json()["status"] == "stopped"
    assert ("bot_stopped", None, None, None) in await timeline(admin, conv_id)


async def test_bot_steps_and_operator_replies_racing_never_interleave(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    """Each pair runs at once, the bot a little later each time:
    either the bot answers first and the operator after, or the operator first and the
    bot not at all. Never a bot line after the operator's, never a lost reply."""
    await published_flow(admin, small_tree(ventas))
    phones = [f"+54911555502{n:02d}" for n in range(8)]
    convs = [(await customer_says(app, admin, "hola", phone))[0] for phone in phones]
    late = [await stored_late(app, conv_id, "9") for conv_id in convs]

    async def bot_step(conv_id: int, msg_id: int, delay: float) -> bool:
        await asyncio.sleep(delay)
        async with app.db.sessionmaker() as session:
            conv = await session.get(Conversation, conv_id)
            msg = await session.get(Message, msg_id)
            assert conv is not None and msg is not None
            handled = await bot.on_inbound(session, conv, msg, False)
            await session.commit()
        return handled

    async def operator(conv_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        response = await admin.post(
            f"/api/conversations/{conv_id}/messages", json={"body": "Te atiendo yo"}
        )
        assert response.status_code == 201, response.text

    # The bot starts later and later: early it wins the row, late the operator does.
    delays = [0, 0.003, 0.006, 0.01, 0.015, 0.025, 0.04, 0.06]
    for delay, conv_id, msg_id in zip(delays, convs, late, strict=True):
        await asyncio.gather(bot_step(conv_id, msg_id, delay), operator(conv_id, 0.0))
    for phone, conv_id in zip(phones, convs, strict=True):
        sent = [m["body"] for m in await bot_lines(admin, phone)]
        assert sent.count("Te atiendo yo") == 1 and sent[-1] == "Te atiendo yo", sent
        assert (await conversation(admin, conv_id))["status"] == "active"


async def test_the_run_is_shown_to_who_may_see_the_conversation(
    app: App, admin: httpx.AsyncClient, ventas: int
) -> None:
    await published_flow(admin, small_tree(ventas))
    conv_id, _ = await customer_says(app, admin, "hola")
    run = (await admin.get(f"/api/flows/runs/{conv_id}")).json()
    assert run["flowName"] == "Bienvenida" and run["nodeKey"] == "menu"
    assert run["waiting"] == "menu" and run["status"] == "running"
    await make_user(admin, "laura")
    async with app.client() as laura:
        from tests.conftest import login

        await login(laura, "laura", "Secret123!")
        assert (await laura.get(f"/api/flows/runs/{conv_id}")).status_code == 404
    assert (await admin.get("/api/flows/runs/999")).status_code == 404
