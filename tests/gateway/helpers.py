"""Gateway (WPPConnect Server, Evolution API) test helpers: fixture payloads, webhook POSTs
with the channel's secret, local fakes of both servers over real HTTP, a recording link."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from helpline.channels.providers.base import InboundMessage, StatusUpdate

# The fakes live with their providers; re-exported for the tests that import them here.
from helpline.channels.providers.bridge.fake import PNG as PNG
from helpline.channels.providers.bridge.fake import QR_TEXT as QR_TEXT
from helpline.channels.providers.evolution.fake import EVO_API_KEY as EVO_API_KEY
from helpline.channels.providers.evolution.fake import FakeEvolution
from helpline.channels.providers.wppconnect.fake import WPP_SECRET_KEY as WPP_SECRET_KEY
from helpline.channels.providers.wppconnect.fake import FakeWpp
from tests.conftest import serve_local

FIXTURES = Path("/work/shared/fixtures/gateway-webhooks")
WEBHOOK_SECRET = "hook-secret-for-tests"
WPP_SESSION = "helpline-tests"
EVO_INSTANCE = "tigo1"  # the percy2017 samples' instance
# Nothing listens there: a send that escapes a test fails fast.
NOWHERE = "http://127.0.0.1:9"


def fixture_names(prefix: str) -> list[str]:
    return sorted(p.name for p in FIXTURES.glob(f"{prefix}__*.json"))


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


WPP_MESSAGE = "wppconnect__message_object_incoming_chat__from_server_swagger.json"
EVO_TEXT = "evolution__messages.upsert__incoming_text__percy2017.json"
EVO_IMAGE = "evolution__messages.upsert__incoming_image__percy2017.json"
EVO_FROM_ME = "evolution__messages.upsert__outgoing_fromMe_text__percy2017.json"
EVO_V2 = "evolution__messages.upsert__v2_fields_author_sanitized__JesseSBezerra.json"
EVO_CLOSE_401 = "evolution__connection.update__close_401__percy2017.json"


def wpp_event(event: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A WPPConnect webhook body: the server prepends `event` and `session` to the object
    (`Object.assign({event, session}, data)` in its callWebHook)."""
    return {"event": event, "session": WPP_SESSION, **copy.deepcopy(data or {})}


def wpp_message(**changes: Any) -> dict[str, Any]:
    """The swagger sample message as an `onmessage` body, with fields changed."""
    return wpp_event("onmessage", {**load(WPP_MESSAGE), **changes})


def evo_message(name: str = EVO_TEXT, **data_changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(load(name))
    payload["data"].update(data_changes)
    return payload


def wpp_config(**overrides: str) -> dict[str, str]:
    return {
        "base_url": NOWHERE,
        "session": WPP_SESSION,
        "secret_key": WPP_SECRET_KEY,
        "webhook_secret": WEBHOOK_SECRET,
        **overrides,
    }


def evo_config(**overrides: str) -> dict[str, str]:
    return {
        "base_url": NOWHERE,
        "instance": EVO_INSTANCE,
        "api_key": EVO_API_KEY,
        "webhook_secret": WEBHOOK_SECRET,
        **overrides,
    }


async def make_channel(
    admin: httpx.AsyncClient, provider: str, name: str | None = None, **config: str
) -> int:
    body = wpp_config(**config) if provider == "wppconnect" else evo_config(**config)
    response = await admin.post(
        "/api/channels",
        json={"name": name or provider.title(), "provider": provider, "config": body},
    )
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def post_event(
    client: httpx.AsyncClient,
    provider: str,
    channel_id: int,
    payload: dict[str, Any] | bytes,
    secret: str | None = WEBHOOK_SECRET,
    in_query: bool = False,
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    params = {}
    if secret is not None:
        if in_query:
            params["secret"] = secret
        else:
            headers["X-Webhook-Secret"] = secret
    return await client.post(
        f"/api/webhooks/{provider}/{channel_id}", content=body, headers=headers, params=params
    )


async def posted(
    client: httpx.AsyncClient,
    provider: str,
    channel_id: int,
    payload: dict[str, Any] | bytes,
    dead_letters: int = 0,
) -> dict[str, int]:
    """The summary of an accepted POST, without `deadLetters` (checked: none unless said)."""
    response = await post_event(client, provider, channel_id, payload)
    assert response.status_code == 200, response.text
    summary: dict[str, int] = response.json()
    assert set(summary) == {"messages", "statuses", "sessions", "ignored", "deadLetters"}
    assert summary.pop("deadLetters") == dead_letters, summary
    return summary


async def channel(admin: httpx.AsyncClient, channel_id: int) -> dict[str, Any]:
    response = await admin.get(f"/api/channels/{channel_id}")
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def messages(admin: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    """GET /api/messages, oldest first."""
    response = await admin.get("/api/messages", params={"pageSize": 200, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return list(reversed(items))


@dataclass
class RecordingLink:
    """A ChannelLink that remembers what the provider reported."""

    channel_id: int = 7
    calls: list[tuple[str, Any]] = field(default_factory=list)

    async def state(self, state: str, detail: str | None = None) -> None:
        self.calls.append(("state", (state, detail)))

    async def qr(self, code: str) -> None:
        self.calls.append(("qr", code))

    async def loading(self, percent: int, message: str | None = None) -> None:
        self.calls.append(("loading", (percent, message)))

    async def log(self, level: str, message: str) -> None:
        self.calls.append(("log", (level, message)))

    async def identity(self, phone: str | None, name: str | None) -> None:
        self.calls.append(("identity", (phone, name)))

    async def inbound(self, message: InboundMessage) -> None:
        self.calls.append(("inbound", message))

    async def status(self, update: StatusUpdate) -> None:
        self.calls.append(("status", update))

    async def dead_letter(self, body: str, reason: str) -> None:
        self.calls.append(("dead_letter", (body, reason)))

    def named(self, name: str) -> list[Any]:
        return [value for kind, value in self.calls if kind == name]


# --- a local WPPConnect Server ------------------------------------------------------------


async def start_wpp() -> tuple[FakeWpp, web.AppRunner]:
    fake = FakeWpp()
    server = web.Application()
    server.router.add_post("/api/{session}/{secretkey}/generate-token", fake.generate_token)
    server.router.add_post("/api/{session}/{route}", fake.api)
    return fake, await _serve(server, fake)


# --- a local Evolution API ----------------------------------------------------------------


async def start_evolution() -> tuple[FakeEvolution, web.AppRunner]:
    fake = FakeEvolution()
    server = web.Application()
    for group in ("message", "instance", "webhook", "chat"):
        server.router.add_route("*", f"/{group}/{{action}}/{{instance}}", _grouped(fake, group))
    return fake, await _serve(server, fake)


def _grouped(fake: FakeEvolution, group: str) -> Any:
    async def handler(request: web.Request) -> web.Response:
        return await fake.handle(request, f"{group}/{request.match_info['action']}")

    return handler


async def _serve(server: web.Application, fake: FakeWpp | FakeEvolution) -> web.AppRunner:
    fake.url, runner = await serve_local(server)
    return runner
