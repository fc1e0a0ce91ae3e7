"""Cloud API test helpers: fixture payloads, signed webhook POSTs, a fake Graph API."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import select

# The fake Graph API lives with its provider; re-exported for the tests that import it here.
from helpline.channels.providers.cloud.fake import ACCESS_TOKEN as ACCESS_TOKEN
from helpline.channels.providers.cloud.fake import PHONE_NUMBER_ID as PHONE_NUMBER_ID
from helpline.channels.providers.cloud.fake import FakeGraph as FakeGraph
from helpline.channels.providers.cloud.fake import graph_error as graph_error
from helpline.messages.models import Message
from tests.conftest import App, serve_local

FIXTURES = Path("/work/shared/fixtures/cloud-webhooks")
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
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


async def start_graph() -> tuple[FakeGraph, web.AppRunner]:
    graph = FakeGraph()
    server = web.Application()
    server.router.add_post("/{version}/{number}/messages", graph.handle)
    server.router.add_get("/{version}/{waba}/message_templates", graph.message_templates)
    server.router.add_get("/{version}/{node}", graph.node)
    graph.url, runner = await serve_local(server)
    return graph, runner
