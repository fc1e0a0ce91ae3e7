"""The 24-hour customer-service window: free-form replies on a Cloud API number are refused
once the customer has been silent for more than a day; notes and other providers are not."""

from __future__ import annotations

import httpx
import pytest

from helpline.clock import utcnow
from helpline.messages.models import Direction
from helpline.templates.window import window_open
from tests.cloud.helpers import FakeGraph, stored
from tests.conftest import App, CapturedEvents
from tests.templates.helpers import WINDOW_CLOSED, cloud_conversation, set_last_inbound


async def test_inside_the_window_a_reply_goes_out(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await cloud_conversation(app, admin, graph)
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["lastInboundAt"] is not None
    await set_last_inbound(app, conv_id, hours_ago=23.9)
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert sent.status_code == 201, sent.text


@pytest.mark.parametrize("hours_ago", [24.1, 24 * 30, None])
async def test_outside_the_window_a_reply_is_refused_and_nothing_changes(
    app: App,
    admin: httpx.AsyncClient,
    graph: FakeGraph,
    events: CapturedEvents,
    hours_ago: float | None,
) -> None:
    conv_id = await cloud_conversation(app, admin, graph)
    await set_last_inbound(app, conv_id, hours_ago)
    before = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert before["assignedTo"] is None
    events.clear()

    refused = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert refused.status_code == 409
    assert refused.json() == WINDOW_CLOSED

    after = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert after["assignedTo"] == before["assignedTo"]  # not taken by a refused reply
    assert after["status"] == before["status"]
    assert [m for m in await stored(app) if m.direction == Direction.OUT] == []
    assert [e.name for e in events.items if e.name.startswith("message")] == []
    assert graph.requests == []


async def test_notes_are_never_refused(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await cloud_conversation(app, admin, graph)
    await set_last_inbound(app, conv_id, hours_ago=48)
    note = await admin.post(f"/api/conversations/{conv_id}/notes", json={"body": "Llamarlo"})
    assert note.status_code == 201, note.text


async def test_a_new_message_from_the_customer_opens_the_window_again(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    from tests.cloud.helpers import load, post_webhook, retarget

    conv_id = await cloud_conversation(app, admin, graph)
    await set_last_inbound(app, conv_id, hours_ago=30)
    refused = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert refused.status_code == 409
    again = retarget(load("message__text__pywa.json"))
    again["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.second"
    assert (await post_webhook(admin, again)).status_code == 200
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert sent.status_code == 201, sent.text


async def test_numbers_without_a_window_always_reply(app: App, admin: httpx.AsyncClient) -> None:
    sandbox_id = (await admin.get("/api/bot/status")).json()["channelId"]
    inbound = await admin.post(
        f"/api/sandbox/{sandbox_id}/inbound", json={"from": "+5491166660000", "text": "hola"}
    )
    assert inbound.status_code == 201, inbound.text
    conv_id = inbound.json()["conversation"]["id"]
    await set_last_inbound(app, conv_id, hours_ago=72)
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert sent.status_code == 201, sent.text


def test_window_edges() -> None:
    from datetime import timedelta

    now = utcnow()
    assert window_open(now - timedelta(hours=24), now)
    assert not window_open(now - timedelta(hours=24, seconds=1), now)
    assert not window_open(None, now)
