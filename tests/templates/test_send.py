"""Sending an approved template: the way back to a customer once the window has closed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.cloud.helpers import FakeGraph, stored
from tests.conftest import App, CapturedEvents, eventually, login, make_user
from tests.templates.helpers import WINDOW_CLOSED, cloud_conversation, set_last_inbound, synced

FOLLOW_UP = {"name": "seguimiento", "language": "es_AR", "params": ["Ana", "#4521"]}


async def closed_window(app: App, admin: httpx.AsyncClient, graph: FakeGraph) -> int:
    conv_id = await cloud_conversation(app, admin, graph)
    channel_id = (await admin.get(f"/api/conversations/{conv_id}")).json()["channelId"]
    await synced(admin, graph, channel_id)
    await set_last_inbound(app, conv_id, hours_ago=26)
    return conv_id


async def test_a_template_goes_out_when_text_may_not(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph, events: CapturedEvents
) -> None:
    conv_id = await closed_window(app, admin, graph)
    refused = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert refused.json() == WINDOW_CLOSED

    response = await admin.post(f"/api/conversations/{conv_id}/template", json=FOLLOW_UP)
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["type"] == "template" and message["direction"] == "out"
    assert message["body"] == "Hola Ana, tu caso #4521 sigue abierto. ¿Seguimos?"
    assert message["payload"] == {"kind": "template", **FOLLOW_UP}
    assert message["status"] == "queued" and message["senderUser"]["name"]
    assert any(
        e.name == "message:new" and e.payload["message"]["id"] == message["id"]
        for e in events.items
    )

    async def sent() -> Any:
        return [m for m in await stored(app) if m.id == message["id"] and m.status == "sent"]

    await eventually(sent)
    (request,) = [r for r in graph.requests if r["json"]["type"] == "template"]
    assert request["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "972987654321",
        "type": "template",
        "template": {
            "name": "seguimiento",
            "language": {"code": "es_AR"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "Ana"},
                        {"type": "text", "text": "#4521"},
                    ],
                }
            ],
        },
    }
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["lastMessagePreview"].startswith("Hola Ana")
    assert conv["assignedTo"] is not None  # the first answer takes the conversation


async def test_a_template_without_parameters(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await closed_window(app, admin, graph)
    body = {"name": "bienvenida", "language": "es_AR", "params": []}
    response = await admin.post(f"/api/conversations/{conv_id}/template", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["body"] == "¡Hola! Somos el equipo de ayuda."

    async def request() -> Any:
        return [r for r in graph.requests if r["json"]["type"] == "template"]

    (sent,) = await eventually(request)
    assert sent["json"]["template"] == {"name": "bienvenida", "language": {"code": "es_AR"}}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**FOLLOW_UP, "params": ["Ana"]}, "takes 2 parameter(s), 1 given"),
        ({**FOLLOW_UP, "params": ["Ana", "1", "2"]}, "takes 2 parameter(s), 3 given"),
        ({**FOLLOW_UP, "name": "no_existe"}, "no template no_existe (es_AR)"),
        ({**FOLLOW_UP, "language": "pt_BR"}, "no template seguimiento (pt_BR)"),
        ({"name": "promo_nueva", "language": "es_AR", "params": ["Ana"]}, "is PENDING"),
        ({"name": "vieja", "language": "es_AR", "params": []}, "is REJECTED"),
        ({**FOLLOW_UP, "params": ["Ana", "línea\nnueva"]}, "line break"),
        ({**FOLLOW_UP, "params": ["Ana", "   "]}, "parameter 2 is empty"),
        ({**FOLLOW_UP, "params": "Ana"}, "list"),
        ({"language": "es_AR", "params": []}, "name"),
    ],
)
async def test_bad_template_sends_are_422_and_send_nothing(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph, body: dict[str, Any], words: str
) -> None:
    conv_id = await closed_window(app, admin, graph)
    response = await admin.post(f"/api/conversations/{conv_id}/template", json=body)
    assert response.status_code == 422
    assert words in response.text
    assert [m for m in await stored(app) if m.type == "template"] == []


async def test_the_checks_of_a_reply_apply(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await closed_window(app, admin, graph)
    user = await make_user(admin, "tplsend")
    async with app.client() as operator:
        await login(operator, "tplsend", "Secret123!")
        # In the desk-wide queue: the operator may answer, and answering takes it.
        taken = await operator.post(f"/api/conversations/{conv_id}/template", json=FOLLOW_UP)
        assert taken.status_code == 201, taken.text
        conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
        assert conv["assignedTo"]["id"] == user["id"]

    await make_user(admin, "tplother")
    async with app.client() as other:
        await login(other, "tplother", "Secret123!")
        hidden = await other.post(f"/api/conversations/{conv_id}/template", json=FOLLOW_UP)
        assert hidden.status_code == 404  # someone else's conversation does not exist for them

    assert (await admin.post(f"/api/conversations/{conv_id}/close")).status_code == 200
    closed = await admin.post(f"/api/conversations/{conv_id}/template", json=FOLLOW_UP)
    assert closed.status_code == 409
    assert "closed" in closed.json()["detail"] and "code" not in closed.json()
    missing = await admin.post("/api/conversations/999999/template", json=FOLLOW_UP)
    assert missing.status_code == 404
