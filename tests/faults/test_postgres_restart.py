"""PostgreSQL restarted under load: the desk (never restarted itself) answers again as soon
as the database is back, and nothing it answered 2xx was lost.

The machine's shared PostgreSQL is never touched: the test makes a throwaway cluster
(initdb + pg_ctl, as the `postgres` user when run as root) on a free port."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REQUIRE_ALL, free_port
from tests.faults.harness import Desk, admin_session, query, wait_for
from tests.faults.test_kill_during_burst import pause_the_bot

pytestmark = pytest.mark.faults

CONCURRENCY = 16
DOWN_SECONDS = 3


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own in a temporary folder."""

    def __init__(self) -> None:
        initdb, self.pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if initdb is None or self.pg_ctl is None:
            raise FileNotFoundError("PostgreSQL's initdb and pg_ctl are not installed")
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.root = Path(tempfile.mkdtemp(prefix="helpline-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if self.as_user:  # initdb refuses root: the cluster belongs to `postgres`
            shutil.chown(self.root, "postgres")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_user, *command], check=True, capture_output=True, cwd=self.root, timeout=120
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c full_page_writes=off"
        )
        log = str(self.root / "postgres.log")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.as_user, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            cwd="/",
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    try:
        cluster = ThrowawayPostgres()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        if REQUIRE_ALL:
            pytest.fail(f"a throwaway PostgreSQL cluster is required but failed: {detail}")
        pytest.skip(f"cannot make a throwaway PostgreSQL cluster: {detail}")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


class Load:
    """Customers writing all the time; each message's answer is recorded."""

    def __init__(self) -> None:
        self.number = 0
        self.accepted: set[str] = set()
        self.failed: list[str] = []  # refused or unanswered: sent again at the end
        self.answers: Counter[int | None] = Counter()  # status codes (None: no answer)
        self.stop = False

    async def run(self, client: httpx.AsyncClient) -> None:
        await asyncio.gather(*(self._customer(client) for _ in range(CONCURRENCY)))

    async def _customer(self, client: httpx.AsyncClient) -> None:
        while not self.stop:
            self.number += 1
            key = f"sb-pg-{self.number}"
            status = await send(client, key)
            self.answers[status] += 1
            if status is not None and status < 300:
                self.accepted.add(key)
            else:
                self.failed.append(key)
                await asyncio.sleep(0.05)


async def send(client: httpx.AsyncClient, key: str) -> int | None:
    number = int(key.rsplit("-", 1)[1])
    try:
        response = await client.post(
            "/api/sandbox/1/inbound",
            json={"id": key, "from": f"+54911{40_000_000 + number % 50}", "text": key},
        )
    except httpx.HTTPError:
        return None
    return response.status_code


async def test_the_desk_recovers_from_a_postgresql_restart_by_itself(
    tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> None:
    db_url = throwaway_postgres.url
    desk = Desk(tmp_path, {"DATABASE_URL": db_url})
    await desk.start()
    assert desk.server is not None
    pid = desk.server.process.pid
    try:
        async with admin_session(desk) as admin:
            await pause_the_bot(admin)
            load = Load()
            running = asyncio.create_task(load.run(admin))
            await wait_for(lambda: _at_least(load, 200), "some load", within=60, interval=0.05)

            await asyncio.to_thread(throwaway_postgres.stop, "immediate")
            await asyncio.sleep(DOWN_SECONDS)
            failed_while_down = len(load.failed)
            await asyncio.to_thread(throwaway_postgres.start)
            restarted = time.monotonic()
            before = len(load.accepted)

            await wait_for(
                lambda: _at_least(load, before + 1), "an answer again", within=30, interval=0.02
            )
            recovered_in = time.monotonic() - restarted
            await wait_for(lambda: _at_least(load, before + 200), "the load to flow again")
            load.stop = True
            await running

            health = (await admin.get("/health")).json()
            assert health["status"] == "ok", health
            assert (await admin.get("/api/auth/me")).status_code == 200
            assert desk.server.process.poll() is None and desk.server.process.pid == pid

            # The customers' retries: what got no 2xx is sent again.
            for key in load.failed:
                assert await send(admin, key) in (200, 201), key
            conv_id = (await admin.get("/api/conversations")).json()["items"][0]["id"]
            reply = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "ok"})
            assert reply.status_code == 201, reply.text

            async def delivered() -> bool:
                page = await admin.get(f"/api/conversations/{conv_id}/messages")
                return bool(page.json()["items"][-1]["status"] == "delivered")

            await wait_for(delivered, "the reply to be delivered", within=30)

        stored = Counter(
            key
            for (key,) in await query(
                db_url,
                "SELECT provider_message_id FROM messages"
                " WHERE direction = 'in' AND provider_message_id LIKE 'sb-pg-%'",
            )
        )
        assert not {k: n for k, n in stored.items() if n > 1}, "stored twice"
        assert load.accepted <= stored.keys(), load.accepted - stored.keys()
        assert set(load.failed) <= stored.keys()
        assert failed_while_down > 0, "the restart should have refused something"
        # Refused with "try again" (503 and Retry-After), never a 500.
        assert set(load.answers) <= {200, 201, 503}, load.answers
        assert "Exception in ASGI application" not in desk.log()
        print(
            f"\nPostgreSQL down {DOWN_SECONDS}s under load: {failed_while_down} requests refused"
            f" meanwhile ({dict(load.answers)}), first 2xx again {recovered_in:.1f}s"
            " after it was back,"
            f" {len(stored)} messages stored once each"
        )
    finally:
        await desk.stop()


async def _at_least(load: Load, count: int) -> bool:
    return len(load.accepted) >= count
