"""Redis stopped under a desk started with REDIS_URL: the desk keeps serving its own
clients (HTTP and live events) as one node, `/health` says so (200, `degraded`,
`redis: down`), and all is as before once Redis is back.

The machine's shared Redis is never touched: the test runs its own throwaway one."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import REQUIRE_ALL, free_port
from tests.faults.harness import Desk, admin_session, wait_for
from tests.faults.test_kill_during_burst import pause_the_bot
from tests.test_realtime import connect

pytestmark = pytest.mark.faults

REDIS_SERVER = shutil.which("redis-server")


class ThrowawayRedis:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                subprocess.run(["sleep", "0.1"], check=True)
        raise RuntimeError("the throwaway redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    if REDIS_SERVER is None:
        if REQUIRE_ALL:
            pytest.fail("redis-server is required (HELPLINE_REQUIRE_DBS=1) but not installed")
        pytest.skip("redis-server is not installed")
    server = ThrowawayRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


async def health(desk: Desk) -> tuple[int, dict[str, str]]:
    async with httpx.AsyncClient(base_url=desk.url, timeout=10) as client:
        response = await client.get("/health")
        return response.status_code, response.json()


async def test_the_desk_serves_one_node_while_redis_is_down(
    tmp_path: Path, throwaway_redis: ThrowawayRedis
) -> None:
    desk = Desk(
        tmp_path,
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}",
            "REDIS_URL": throwaway_redis.url,
        },
    )
    await desk.start()
    try:
        assert await health(desk) == (200, {"status": "ok", "database": "sqlite", "redis": "up"})
        async with admin_session(desk) as admin:
            await pause_the_bot(admin)
            assert desk.server is not None
            listener = await connect(desk.server, admin)
            try:
                await customer_writes(admin, listener, "+5491180000001", "con redis")

                throwaway_redis.kill()
                status, body = await health(desk)
                assert (status, body["status"], body["redis"]) == (200, "degraded", "down")

                # Everything a single desk does still works: messages in, live events to
                # the console, replies out, new console connections.
                conv_id = await customer_writes(admin, listener, "+5491180000002", "sin redis")
                reply = await admin.post(
                    f"/api/conversations/{conv_id}/messages", json={"body": "lo atiendo"}
                )
                assert reply.status_code == 201, reply.text
                await listener.wait_for(
                    "message:status",
                    lambda d: d["id"] == reply.json()["id"] and d["status"] == "delivered",
                )
                second = await connect(desk.server, admin)
                await customer_writes(admin, second, "+5491180000003", "otra consola")
                await second.client.disconnect()

                throwaway_redis.start()  # the same address again

                async def recovered() -> bool:
                    return (await health(desk))[1].get("redis") == "up"

                await wait_for(recovered, "/health to see Redis again", within=30)
                assert (await health(desk))[1]["status"] == "ok"
                await customer_writes(admin, listener, "+5491180000004", "redis de vuelta")
            finally:
                await listener.client.disconnect()
        assert "Traceback" not in desk.log()
    finally:
        await desk.stop()


async def customer_writes(admin: httpx.AsyncClient, listener: object, phone: str, text: str) -> int:
    sent = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})
    assert sent.status_code == 201, sent.text
    new = await listener.wait_for(  # type: ignore[attr-defined]
        "message:new", lambda d: d["message"]["body"] == text
    )
    conv_id: int = new["conversation"]["id"]
    await asyncio.sleep(0)
    return conv_id
