"""The Cloud API's side of channel control and templates, against the fake Graph API:
starting a number checks its credentials; templates go out with their body parameters."""

from __future__ import annotations

import httpx

from helpline.channels.providers import build_provider
from helpline.channels.providers.base import OutboundText
from helpline.channels.providers.cloud.provider import CloudProvider
from tests.cloud.helpers import (
    PHONE_NUMBER_ID,
    FakeGraph,
    cloud_channel,
    cloud_config,
    graph_error,
)
from tests.conftest import CapturedEvents
from tests.templates.helpers import TEMPLATES


def provider(graph: FakeGraph) -> CloudProvider:
    built = build_provider("cloud", cloud_config(api_base_url=graph.url))
    assert isinstance(built, CloudProvider)
    return built


async def test_starting_a_number_checks_its_credentials(
    admin: httpx.AsyncClient, graph: FakeGraph, events: CapturedEvents
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    assert (await admin.get(f"/api/channels/{channel_id}")).json()["status"] == "connected"
    assert graph.gets == []  # a new number is ready as configured

    started = await admin.post(f"/api/channels/{channel_id}/start")
    assert started.status_code == 200, started.text
    channel = started.json()
    assert channel["status"] == "connected" and channel["statusDetail"] is None
    assert channel["phone"] == "+972123456789"  # Meta's display number, normalized
    (check,) = graph.gets
    assert check == {
        "path": f"/v21.0/{PHONE_NUMBER_ID}",
        "query": {"fields": "display_phone_number,verified_name"},
    }
    history = (await admin.get(f"/api/channels/{channel_id}/history")).json()
    assert [h["status"] for h in history][:2] == ["connected", "connecting"]
    log = (await admin.get(f"/api/channels/{channel_id}/log")).json()
    assert log[0]["level"] == "info" and "Helpline Test" in log[0]["message"]
    statuses = [
        e.payload["status"]
        for e in events.named("session:status")
        if e.payload["channelId"] == channel_id
    ]
    assert statuses[-2:] == ["connecting", "connected"]


async def test_refused_credentials_leave_the_number_in_error_with_metas_reason(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    graph.get_script.append(
        (400, graph_error(100, "Object with ID '1122334455667' does not exist"))
    )
    channel = (await admin.post(f"/api/channels/{channel_id}/start")).json()
    assert channel["status"] == "error"
    assert "does not exist" in channel["statusDetail"]
    log = (await admin.get(f"/api/channels/{channel_id}/log")).json()
    assert log[0]["level"] == "error" and "does not exist" in log[0]["message"]

    # Fixed on Meta's side: starting again checks again.
    started = await admin.post(f"/api/channels/{channel_id}/start")
    assert started.json()["status"] == "connected"


async def test_an_expired_token_is_an_error_state(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url, access_token="EAAG-expired")
    channel = (await admin.post(f"/api/channels/{channel_id}/start")).json()
    assert channel["status"] == "error" and "Session has expired" in channel["statusDetail"]


async def test_stopping_only_logs_and_starting_checks_again(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    stopped = await admin.post(f"/api/channels/{channel_id}/logout")
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["status"] == "disconnected"
    log = (await admin.get(f"/api/channels/{channel_id}/log")).json()
    assert log[0]["level"] == "info" and "nothing to close" in log[0]["message"]
    assert graph.gets == []  # stopping asks Meta nothing
    started = await admin.post(f"/api/channels/{channel_id}/start")
    assert started.json()["status"] == "connected"
    assert len(graph.gets) == 1


async def test_template_payload_is_sent_as_a_template(graph: FakeGraph) -> None:
    payload = {"kind": "template", "name": "seguimiento", "language": "es_AR", "params": ["Ana"]}
    result = await provider(graph).send_text(
        OutboundText(message_id=1, to_phone="+972987654321", body="Hola Ana", payload=payload)
    )
    assert result.provider_message_id == "wamid.OUT1"
    (request,) = graph.requests
    assert request["json"]["type"] == "template"
    assert request["json"]["template"] == {
        "name": "seguimiento",
        "language": {"code": "es_AR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}],
    }


async def test_fetch_templates_follows_the_pages(graph: FakeGraph) -> None:
    graph.templates = list(TEMPLATES)
    graph.page_size = 2
    templates = await provider(graph).fetch_templates()
    assert [(t.name, t.language, t.status) for t in templates] == [
        (t["name"], t["language"], t["status"]) for t in TEMPLATES
    ]
    assert templates[0].body == "Hola {{1}}, tu caso {{2}} sigue abierto. ¿Seguimos?"
    assert templates[0].category == "UTILITY"
    assert [c["type"] for c in templates[0].components] == ["HEADER", "BODY", "FOOTER"]
    assert len(graph.gets) == 3


async def test_fetch_templates_never_follows_a_page_to_another_host(graph: FakeGraph) -> None:
    first_page = {
        "data": TEMPLATES[:1],
        "paging": {"next": "http://127.0.0.2:9/v21.0/102290129340398/message_templates?after=1"},
    }
    graph.get_script.append((200, first_page))
    templates = await provider(graph).fetch_templates()  # the token stays with Meta's host
    assert [t.name for t in templates] == ["seguimiento"]
    assert len(graph.gets) == 1
