"""What the Cloud API webhook cannot understand is kept whole as a dead letter: admins list
and read the letters and re-process them, which stores their messages exactly once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from helpline.channels.providers.cloud import parser
from helpline.dead_letters import service as dead_letters
from tests.cloud.helpers import cloud_channel, first_value, load, post_webhook, retarget, stored
from tests.conftest import App, CapturedEvents, login, make_user


def two_texts() -> dict[str, Any]:
    """A body with two messages: the second one is what a parser may fail on."""
    payload = retarget(load("message__text__pywa.json"))
    messages = first_value(payload)["messages"]
    second = {**messages[0], "id": "wamid.SECOND", "text": {"body": "segundo"}}
    messages.append(second)
    return payload


async def pending(admin: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await admin.get("/api/dead-letters", params={"status": "pending"})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_a_message_this_version_cannot_read_is_kept_and_reprocessed_after_an_upgrade(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel_id = await cloud_channel(admin)
    read = parser.parse_message

    def older_parser(data: dict[str, Any]) -> parser.Message | None:
        return None if data.get("id") == "wamid.SECOND" else read(data)

    monkeypatch.setattr(parser, "parse_message", older_parser)
    response = await post_webhook(admin, two_texts())
    assert response.status_code == 200
    assert response.json() == {"messages": 1, "statuses": 0, "ignored": 1, "deadLetters": 1}
    assert [m.body for m in await stored(app, channel_id)] == ["Body Text"]
    (letter,) = await pending(admin)
    assert letter["provider"] == "cloud"
    assert "wamid.SECOND" in letter["reason"]
    one = (await admin.get(f"/api/dead-letters/{letter['id']}")).json()
    assert '"wamid.SECOND"' in one["body"] and one["size"] == len(one["body"])
    async with app.db.sessionmaker() as session:
        assert await dead_letters.count_pending(session) == 1

    monkeypatch.setattr(parser, "parse_message", read)  # the upgrade
    events.clear()
    done = await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["lastError"]) == ("done", None)
    assert done.json()["storedMessages"] == 2  # the first one was there already: not twice
    assert [m.body for m in await stored(app, channel_id)] == ["Body Text", "segundo"]
    assert [e.payload["message"]["body"] for e in events.named("message:new")] == ["segundo"]
    assert await pending(admin) == []
    async with app.db.sessionmaker() as session:
        assert await dead_letters.count_pending(session) == 0
    # Again: still two messages.
    again = await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")
    assert again.status_code == 200 and again.json()["status"] == "done"
    assert len(await stored(app, channel_id)) == 2


async def test_a_message_for_a_number_without_a_channel_waits_for_the_channel(
    app: App, admin: httpx.AsyncClient
) -> None:
    await cloud_channel(admin)
    body = retarget(load("message__text__pywa.json"), "5566778899001")
    assert (await post_webhook(admin, body)).json()["deadLetters"] == 1
    assert (await post_webhook(admin, body)).json()["deadLetters"] == 1  # Meta again
    (letter,) = await pending(admin)  # the same body is kept once
    assert "5566778899001" in letter["reason"]
    failed = (await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")).json()
    assert failed["status"] == "pending" and "5566778899001" in failed["lastError"]
    assert failed["attempts"] == 1
    second = await cloud_channel(admin, name="Second", phone_number_id="5566778899001")
    done = (await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")).json()
    assert done["status"] == "done" and done["attempts"] == 2
    assert [m.body for m in await stored(app, second)] == ["Body Text"]


async def test_dead_letters_are_for_admins_only(app: App, admin: httpx.AsyncClient) -> None:
    await cloud_channel(admin)
    await post_webhook(admin, b"{not json")
    (letter,) = await pending(admin)
    await make_user(admin, "ana", role="OPERATOR")
    await make_user(admin, "sol", role="SUPERVISOR")
    for username in ("ana", "sol"):
        async with app.client() as client:
            await login(client, username, "Secret123!")
            assert (await client.get("/api/dead-letters")).status_code == 403
            assert (await client.get(f"/api/dead-letters/{letter['id']}")).status_code == 403
            reprocess = await client.post(f"/api/dead-letters/{letter['id']}/reprocess")
            assert reprocess.status_code == 403
    async with app.client() as anonymous:
        assert (await anonymous.get("/api/dead-letters")).status_code == 401
    unchanged = (await admin.get(f"/api/dead-letters/{letter['id']}")).json()
    assert unchanged["attempts"] == 0


async def test_unknown_and_impossible_letter_ids(app: App, admin: httpx.AsyncClient) -> None:
    missing = await admin.get("/api/dead-letters/999")
    assert missing.status_code == 404 and "999" in missing.json()["detail"]
    assert (await admin.post("/api/dead-letters/999/reprocess")).status_code == 404
    assert (await admin.get("/api/dead-letters/38678743954526273536")).status_code == 422
    assert (await admin.get("/api/dead-letters", params={"status": "lost"})).status_code == 422
