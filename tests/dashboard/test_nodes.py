"""Two server processes on one database and one (throwaway) Redis: a message taken in by
one process updates a dashboard whose console is connected to the other, within a couple
of seconds (not at the other's next periodic refresh)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LiveServer, start_server, stop_server
from tests.faults.test_redis_down import ThrowawayRedis, throwaway_redis
from tests.test_realtime import connect, session_for

__all__ = ["throwaway_redis"]  # the fixture, used below

EVENT = "dashboard:updated"
REFRESH = 10.0  # helpline.dashboard.live.REFRESH: an update sooner than this was pushed


@pytest.fixture
def two_nodes(tmp_path: Path, throwaway_redis: ThrowawayRedis) -> Iterator[list[LiveServer]]:
    env = {"REDIS_URL": throwaway_redis.url}
    first = start_server("demo", tmp_path, env)
    try:
        second = start_server("demo", tmp_path, env)  # same folder: same database and secret
        try:
            yield [first, second]
        finally:
            stop_server(second)
    finally:
        stop_server(first)


async def test_a_change_on_one_process_updates_dashboards_on_the_other(
    two_nodes: list[LiveServer],
) -> None:
    one, other = two_nodes
    async with session_for(one, "test", "Test1234!") as admin_one:
        listener = await connect(other, admin_one)  # the same login, on the other process
        try:
            assert await listener.client.call("dashboard:subscribe", {}) is True
            first = await listener.wait_for(EVENT)
            await asyncio.sleep(1.5)
            listener.received.clear()

            started = time.monotonic()
            sent = await admin_one.post(
                "/api/sandbox/1/inbound", json={"from": "+5491177700001", "text": "hola"}
            )
            assert sent.status_code == 201, sent.text
            update = await listener.wait_for(EVENT)
            took = time.monotonic() - started
            assert update["messages"]["inbound"] == first["messages"]["inbound"] + 1
            assert took < REFRESH / 2, f"the update took {took:.1f}s: it was not pushed"
        finally:
            await listener.client.disconnect()
