"""The sending API on a WhatsApp Cloud API number: free-form text only inside the 24-hour
window (else 409 naming the template route), and a template may open the conversation."""

from __future__ import annotations

from typing import Any

import httpx

from tests.cloud.helpers import FakeGraph, cloud_channel, stored
from tests.conftest import App, eventually
from tests.sending.helpers import send
from tests.templates.helpers import synced

FOLLOW_UP = {"name": "seguimiento", "language": "es_AR", "params": ["Ana", "#4521"]}


async def test_text_to_a_customer_who_never_wrote_is_refused_naming_the_template_route(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    refused = await send(sender, channel_id, phone="+5491155550201", text="Hola")
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "window_closed"
    assert f"POST /api/channels/{channel_id}/messages" in body["detail"]
    assert '"template"' in body["detail"]
    # Nothing was kept: no contact, no conversation.
    assert (await admin.get("/api/contacts")).json()["total"] == 0
    assert (await admin.get("/api/conversations")).json()["total"] == 0


async def test_a_template_opens_a_conversation_that_did_not_exist(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await synced(admin, graph, channel_id)
    answer = await send(
        sender, channel_id, key="welcome-1", phone="5491155550202", template=FOLLOW_UP
    )
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["conversationOpened"] is True and out["phone"] == "+5491155550202"
    assert out["message"]["type"] == "template"
    assert out["message"]["body"] == "Hola Ana, tu caso #4521 sigue abierto. ¿Seguimos?"

    async def sent() -> Any:
        return [m for m in await stored(app, channel_id) if m.status == "sent"]

    await eventually(sent)
    (request,) = [r for r in graph.requests if r["json"]["type"] == "template"]
    assert request["json"]["to"] == "5491155550202"
    assert request["json"]["template"]["name"] == "seguimiento"

    # The window is still closed (the customer has not answered): text is still refused.
    text = await send(sender, channel_id, phone="+5491155550202", text="¿Seguimos?")
    assert text.status_code == 409 and text.json()["code"] == "window_closed"
    unknown = {"name": "nope", "language": "es_AR", "params": []}
    refused = await send(sender, channel_id, phone="+5491155550202", template=unknown)
    assert refused.status_code == 422 and "no template nope" in refused.json()["detail"]
