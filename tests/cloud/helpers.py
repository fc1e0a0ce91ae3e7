"""Cloud API test helpers: fixture payloads, signed webhook POSTs, a fake Graph API."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import select

from helpline.messages.models import Message
from tests.conftest import App, serve_local

FIXTURES = Path("/work/shared/fixtures/cloud-webhooks")
PHONE_NUMBER_ID = "1122334455667"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
ACCESS_TOKEN = "EAAG-access-token-for-tests"
# Nothing listens there: a send that escapes a test fails fast instead of reaching Meta.
NOWHERE = "http://127.0.0.1:9"
WEBHOOK = "/api/webhooks/whatsapp"


# Bodies written for this repository's tests (the cases that used to be dropped).
PAYLOADS = Path(__file__).parent / "payloads"


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.json"))


def payload_names() -> list[str]:
    return sorted(p.name for p in PAYLOADS.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    """A body by file name, from the shared corpus or from `payloads/`."""
    path = FIXTURES / name if (FIXTURES / name).exists() else PAYLOADS / name
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def retarget(payload: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    """A copy whose every change is addressed to `phone_number_id` (the fixtures' own ids
    are their authors' placeholders)."""
    payload = copy.deepcopy(payload)
    for entry in payload.get("entry", []):
        for change in entry.get("changes", []):
            metadata = change.get("value", {}).get("metadata")
            if isinstance(metadata, dict):
                metadata["phone_number_id"] = phone_number_id
    return payload


def first_value(payload: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = payload["entry"][0]["changes"][0]["value"]
    return value


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_webhook(
    client: httpx.AsyncClient, payload: dict[str, Any] | bytes, secret: str | None = APP_SECRET
) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(body, secret)
    return await client.post(WEBHOOK, content=body, headers=headers)


def cloud_config(**overrides: str) -> dict[str, str]:
    return {
        "phone_number_id": PHONE_NUMBER_ID,
        "waba_id": "102290129340398",
        "access_token": ACCESS_TOKEN,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "api_base_url": NOWHERE,
        "api_version": "v21.0",
        **overrides,
    }


async def cloud_channel(admin: httpx.AsyncClient, name: str = "Cloud", **config: str) -> int:
    response = await admin.post(
        "/api/channels",
        json={
            "name": name,
            "provider": "cloud",
            "phone": "+972123456789",
            "config": cloud_config(**config),
        },
    )
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    return channel_id


async def stored(app: App, channel_id: int | None = None) -> list[Message]:
    async with app.db.sessionmaker() as session:
        query = select(Message).order_by(Message.id)
        if channel_id is not None:
            query = query.where(Message.channel_id == channel_id)
        return list((await session.scalars(query)).unique())


@dataclass
class FakeGraph:
    """A local Graph API: records each message POST (`requests`) and answers with the
    scripted responses, then with success (`wamid.OUT<n>`). GETs (the number's details that
    a channel start checks, the account's `templates` in pages of `page_size`) are recorded
    in `gets` and answered from `get_script` first; they need the test access token."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    gets: list[dict[str, Any]] = field(default_factory=list)
    get_script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    phone: dict[str, Any] = field(
        default_factory=lambda: {
            "display_phone_number": "+972 12-345-6789",
            "verified_name": "Helpline Test",
            "id": PHONE_NUMBER_ID,
        }
    )
    templates: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 100

    def _get(self, request: web.Request) -> web.Response | None:
        """Record a GET; an error answer when it is scripted or not authorized."""
        self.gets.append({"path": request.path, "query": dict(request.query)})
        if self.get_script:
            status, answer = self.get_script.pop(0)
            return web.json_response(answer, status=status)
        if request.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            error = graph_error(190, "Error validating access token: Session has expired")
            return web.json_response(error, status=401)
        return None

    async def node(self, request: web.Request) -> web.Response:
        refused = self._get(request)
        if refused is not None:
            return refused
        if request.match_info["node"] != self.phone["id"]:
            error = graph_error(100, "Unsupported get request. Object does not exist")
            return web.json_response(error, status=400)
        fields = request.query.get("fields", "").split(",")
        return web.json_response({k: v for k, v in self.phone.items() if k in fields or k == "id"})

    async def message_templates(self, request: web.Request) -> web.Response:
        refused = self._get(request)
        if refused is not None:
            return refused
        limit = min(int(request.query.get("limit", "25")), self.page_size)
        start = int(request.query.get("after") or 0)
        answer: dict[str, Any] = {"data": self.templates[start : start + limit]}
        if start + limit < len(self.templates):
            query = f"fields={request.query.get('fields', '')}&limit={limit}&after={start + limit}"
            answer["paging"] = {"next": f"{self.url}{request.path}?{query}"}
        return web.json_response(answer)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json() if request.content_type == "application/json" else None
        self.requests.append({"path": request.path, "headers": dict(request.headers), "json": body})
        if self.script:
            status, answer = self.script.pop(0)
            return web.json_response(answer, status=status)
        wamid = f"wamid.OUT{len(self.requests)}"
        to = body.get("to") if isinstance(body, dict) else None
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )


def graph_error(code: int, message: str, details: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error}


async def start_graph() -> tuple[FakeGraph, web.AppRunner]:
    graph = FakeGraph()
    server = web.Application()
    server.router.add_post("/{version}/{number}/messages", graph.handle)
    server.router.add_get("/{version}/{waba}/message_templates", graph.message_templates)
    server.router.add_get("/{version}/{node}", graph.node)
    graph.url, runner = await serve_local(server)
    return graph, runner
