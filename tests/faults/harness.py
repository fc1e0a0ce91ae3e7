"""What the fault tests share: a desk in its own process that can be killed and started
again on the same data, a login, a Cloud API channel against a fake Graph API that can be
taken down, and direct reads of the desk's database to check what was kept."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.cloud.helpers import FakeGraph, cloud_config, sign
from tests.conftest import LiveServer, serve_local, start_server, stop_server

ADMIN = ("test", "Test1234!")
WEBHOOK = "/api/webhooks/whatsapp"


@dataclass
class Desk:
    """`helpline demo` on one database, as a process that can be killed and started again."""

    workdir: Path
    env: dict[str, str]
    server: LiveServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None, "the desk is not running"
        return self.server.url

    async def start(self) -> None:
        self.server = await asyncio.to_thread(start_server, "demo", self.workdir, self.env)

    def cpu_seconds(self) -> float:
        """CPU time the desk's process used so far (Linux), to tell its cost from the
        machine's load in the figures a test prints."""
        assert self.server is not None
        try:
            fields = Path(f"/proc/{self.server.process.pid}/stat").read_text().rsplit(")", 1)[1]
        except OSError:
            return 0.0
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """kill -9: no shutdown, no flush, whatever was in memory is gone."""
        assert self.server is not None
        os.kill(self.server.process.pid, signal.SIGKILL)
        self.server.process.wait()

    async def stop(self) -> None:
        if self.server is not None and self.server.process.poll() is None:
            await asyncio.to_thread(stop_server, self.server)

    def log(self) -> str:
        return self.server.log() if self.server else ""


@contextlib.asynccontextmanager
async def admin_session(desk: Desk) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=desk.url, timeout=30) as client:
        await login(client)
        yield client


async def login(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/login", json={"username": ADMIN[0], "password": ADMIN[1]}
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrfToken"]


async def connected_cloud_channel(admin: httpx.AsyncClient, graph_url: str) -> int:
    """A Cloud API channel sending to the fake Graph API, up and able to send."""
    response = await admin.post(
        "/api/channels",
        json={
            "name": "Cloud",
            "provider": "cloud",
            "phone": "+972123456789",
            "config": cloud_config(api_base_url=graph_url),
        },
    )
    assert response.status_code == 201, response.text
    channel_id: int = response.json()["id"]
    await wait_for(lambda: channel_connected(admin, channel_id), "the cloud channel to connect")
    return channel_id


async def channel_connected(admin: httpx.AsyncClient, channel_id: int) -> bool:
    status = (await admin.get(f"/api/channels/{channel_id}/status")).json()["status"]
    if status != "connected":
        await admin.post(f"/api/channels/{channel_id}/start")
    return bool(status == "connected")


def cloud_text(wamid: str, phone: str, body: str, phone_number_id: str) -> bytes:
    """A Cloud API webhook body carrying one customer text, as Meta sends it."""
    digits = phone.lstrip("+")
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "972123456789",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": "Cliente"}, "wa_id": digits}],
                            "messages": [
                                {
                                    "from": digits,
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": body},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


async def post_signed(client: httpx.AsyncClient, body: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body)}
    return await client.post(WEBHOOK, content=body, headers=headers)


async def wait_for(check: Any, what: str, within: float = 60.0, interval: float = 0.25) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last: Any = None
    while loop.time() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            last = await check()
            if last:
                return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


# --- the fake Graph API -----------------------------------------------------------------


@dataclass
class FlakyGraph(FakeGraph):
    """The fake Graph API of tests/cloud, which can also be down: `mode` "up", "error"
    (500 with Meta's "temporarily unavailable") or "hang" (never answers: the desk's
    request times out). Every message POST is recorded, answered or not."""

    mode: str = "up"
    refused: int = 0
    hung: int = 0
    _hanging: set[asyncio.Future[None]] = field(default_factory=set)

    async def handle(self, request: web.Request) -> web.Response:
        if self.mode == "error":
            self.refused += 1
            error = {"error": {"message": "Service temporarily unavailable", "code": 2}}
            return web.json_response(error, status=500)
        if self.mode == "hang":
            self.hung += 1
            forever: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._hanging.add(forever)
            with contextlib.suppress(asyncio.CancelledError):
                await forever
            return web.json_response({}, status=503)
        return await super().handle(request)

    def back_up(self) -> None:
        self.mode = "up"
        for waiting in self._hanging:
            waiting.cancel()
        self._hanging.clear()

    def sent(self) -> list[dict[str, Any]]:
        """The message POSTs that were answered with a message id."""
        return [r for r in self.requests if r["path"].endswith("/messages")]


async def start_flaky_graph() -> tuple[FlakyGraph, web.AppRunner]:
    graph = FlakyGraph()
    server = web.Application()
    server.router.add_post("/{version}/{number}/messages", graph.handle)
    server.router.add_get("/{version}/{node}", graph.node)
    graph.url, runner = await serve_local(server)
    return graph, runner


# --- reading the desk's database --------------------------------------------------------


async def query(db_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(text(sql), params)]
    finally:
        await engine.dispose()
