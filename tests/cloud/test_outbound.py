"""Sending through the Cloud API, against a local fake Graph API over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from helpline.channels.providers import build_provider
from helpline.channels.providers.base import OutboundText, ProviderError, supports_interactive
from helpline.channels.providers.cloud.provider import CloudProvider
from tests.cloud.helpers import (
    ACCESS_TOKEN,
    APP_SECRET,
    FakeGraph,
    cloud_channel,
    cloud_config,
    graph_error,
    load,
    post_webhook,
    retarget,
    stored,
)
from tests.conftest import App, eventually

OPTIONS = [
    {"id": "opt-sales", "number": 1, "label": "Ventas"},
    {"id": "opt-support", "number": 2, "label": "Soporte técnico"},
    {"id": "opt-billing", "number": 3, "label": "Facturación"},
    {"id": "opt-other", "number": 4, "label": "Otra consulta"},
]


def provider(graph: FakeGraph) -> CloudProvider:
    built = build_provider("cloud", cloud_config(api_base_url=graph.url, api_version="v99.0"))
    assert isinstance(built, CloudProvider)
    assert supports_interactive(built)
    return built


async def test_text_send(graph: FakeGraph) -> None:
    result = await provider(graph).send_text(
        OutboundText(message_id=1, to_phone="+972987654321", body="Hola, ¿en qué ayudo?")
    )
    assert (result.provider_message_id, result.status) == ("wamid.OUT1", "sent")
    (request,) = graph.requests
    assert request["path"] == "/v99.0/1122334455667/messages"
    assert request["headers"]["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert request["json"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "972987654321",
        "type": "text",
        "text": {"preview_url": False, "body": "Hola, ¿en qué ayudo?"},
    }


async def test_menu_as_buttons(graph: FakeGraph) -> None:
    payload = {"kind": "menu", "style": "buttons", "text": "¿Con quién?", "options": OPTIONS[:3]}
    await provider(graph).send_text(
        OutboundText(message_id=1, to_phone="+972987654321", body="1. Ventas…", payload=payload)
    )
    body = graph.requests[0]["json"]
    assert body["type"] == "interactive"
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "¿Con quién?"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "opt-sales", "title": "Ventas"}},
        {"type": "reply", "reply": {"id": "opt-support", "title": "Soporte técnico"}},
        {"type": "reply", "reply": {"id": "opt-billing", "title": "Facturación"}},
    ]


async def test_menu_as_list(graph: FakeGraph) -> None:
    payload = {"kind": "menu", "style": "list", "text": "Elegí una opción", "options": OPTIONS}
    await provider(graph).send_text(
        OutboundText(message_id=1, to_phone="+972987654321", body="…", payload=payload)
    )
    interactive = graph.requests[0]["json"]["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "Elegí una opción"}
    (section,) = interactive["action"]["sections"]
    assert [row["id"] for row in section["rows"]] == [o["id"] for o in OPTIONS]
    assert [row["title"] for row in section["rows"]] == [o["label"] for o in OPTIONS]
    assert 0 < len(interactive["action"]["button"]) <= 20


async def test_more_than_three_options_never_go_as_buttons(graph: FakeGraph) -> None:
    payload = {"kind": "menu", "style": "buttons", "text": "Elegí", "options": OPTIONS}
    await provider(graph).send_text(
        OutboundText(message_id=1, to_phone="+972987654321", body="…", payload=payload)
    )
    assert graph.requests[0]["json"]["interactive"]["type"] == "list"


async def test_template_send(graph: FakeGraph) -> None:
    result = await provider(graph).send_template("+972987654321", "hello_world", "en_US")
    assert result.provider_message_id == "wamid.OUT1"
    body = graph.requests[0]["json"]
    assert body["type"] == "template"
    assert body["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (400, 130429, True),
        (400, 131056, True),
        (500, 131000, True),
        (429, 4, True),
        (503, 2, True),
        (400, 131047, False),
        (400, 131026, False),
        (400, 100, False),
    ],
)
async def test_error_mapping(graph: FakeGraph, status: int, code: int, transient: bool) -> None:
    graph.script.append((status, graph_error(code, f"Meta says {code}", "the details")))
    with pytest.raises(ProviderError) as caught:
        await provider(graph).send_text(OutboundText(1, "+972987654321", "Hola"))
    assert caught.value.transient is transient
    assert f"Meta says {code}" in caught.value.reason
    assert str(code) in caught.value.reason
    assert "the details" in caught.value.reason


async def test_unreachable_api_is_transient() -> None:
    unreachable = CloudProvider(cloud_config())  # points at a closed local port
    with pytest.raises(ProviderError) as caught:
        await unreachable.send_text(OutboundText(1, "+972987654321", "Hola"))
    assert caught.value.transient


async def open_cloud_conversation(app: App, admin: httpx.AsyncClient, graph: FakeGraph) -> int:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    response = await post_webhook(admin, retarget(load("message__text__pywa.json")))
    assert response.status_code == 200
    conv_id: int = (await stored(app, channel_id))[0].conversation_id
    return conv_id


async def send_reply(admin: httpx.AsyncClient, conv_id: int) -> int:
    sent = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "Hola"})
    assert sent.status_code == 201, sent.text
    message_id: int = sent.json()["id"]
    return message_id


async def test_rate_limit_is_retried_by_the_delivery_worker(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await open_cloud_conversation(app, admin, graph)
    graph.script.append((400, graph_error(130429, "Rate limit hit")))
    message_id = await send_reply(admin, conv_id)

    async def sent() -> object:
        return [m for m in await stored(app) if m.id == message_id and m.status == "sent"]

    (msg,) = await eventually(sent, within=15)
    assert msg.attempts == 2
    assert msg.provider_message_id == "wamid.OUT2"
    assert len(graph.requests) == 2


async def test_outside_the_window_fails_with_the_reason(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    conv_id = await open_cloud_conversation(app, admin, graph)
    graph.script.append(
        (
            400,
            graph_error(
                131047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
            ),
        )
    )
    message_id = await send_reply(admin, conv_id)

    async def failed() -> object:
        return [m for m in await stored(app) if m.id == message_id and m.status == "failed"]

    (msg,) = await eventually(failed, within=10)
    assert msg.attempts == 1
    assert "131047" in msg.error and "24 hours" in msg.error
    assert len(graph.requests) == 1


async def test_channel_api_masks_secrets_and_validates_config(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await cloud_channel(admin)
    for response in (
        await admin.get(f"/api/channels/{channel_id}"),
        await admin.get("/api/channels"),
    ):
        text = response.text
        assert response.status_code == 200
        for secret in (APP_SECRET, ACCESS_TOKEN, "verify-token-for-tests"):
            assert secret not in text
    config = (await admin.get(f"/api/channels/{channel_id}")).json()["config"]
    assert config["access_token"] == "••••" + ACCESS_TOKEN[-4:]
    assert config["phone_number_id"] == "1122334455667"

    config_without_secret = cloud_config()
    del config_without_secret["app_secret"]
    refused = await admin.post(
        "/api/channels",
        json={"name": "Broken", "provider": "cloud", "config": config_without_secret},
    )
    assert refused.status_code == 422
    assert "app_secret" in refused.text
