"""The ingest benchmark's short run on each database, so `make bench` cannot silently break.

It fails on what a benchmark must never do: lose a message, or leave a console without its
`message:new` event. It never asserts on a time: CI machines are too noisy for that.

CI runs the scenario that covers most: `bot`, where every customer is new and the bot
greets each (contact, conversation, the bot's answers and their deliveries on top of the
inbound row), with three consoles listening (one timed Socket.IO client, two counting
sockets). The other scenarios differ only in their figures (known customers, more
consoles, messages in flight); `make bench` runs them. Small figures keep the three runs
to about a quarter of a minute each, most of it the server's start and the baseline's.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import MARIADB_ADMIN_URL, PG_ADMIN_URL, REQUIRE_ALL, ROOT

CUSTOMERS = 8
CONSOLES = 3
# The warm-up's 10 messages, 40 at full speed from 8 new customers, then 1 s at 20 msg/s
# (20 messages) from 8 more new customers.
SHORT = [
    "--quick", "--scenario", "bot", "--customers", str(CUSTOMERS), "--messages", "40",
    "--rate", "20", "--duration", "1", "--consoles", str(CONSOLES),
]  # fmt: skip


async def _reachable(admin_url: str) -> str | None:
    engine = create_async_engine(admin_url)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure: the server is not there
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


def run_bench(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SESSION_SECRET")}
    proc = subprocess.run(
        [sys.executable, "-m", "bench.ingest", *SHORT, "--output", str(out), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def assert_nothing_lost(report: dict) -> None:
    assert report["errors"] == []
    for scenario in report["scenarios"].values():
        for name, phase in scenario["phases"].items():
            assert phase["posted"] > 0, name
            assert phase["accepted_201"] == phase["posted"], (name, phase["statuses"])
            assert phase["events_received"] == phase["accepted_201"], name
            assert phase["consoles"] == CONSOLES, name
            assert phase["consoles_dropped"] == 0, (name, phase["consoles_dropped_why"])
            assert phase["console_events_missing"] == 0, name
        # the raw baseline ran too and gave the ratio its denominator
        assert scenario["baseline_per_message"] > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
async def test_the_short_benchmark_loses_no_message_and_no_event(
    backend: str, tmp_path: Path
) -> None:
    args = []
    admin_url = {"postgresql": PG_ADMIN_URL, "mariadb": MARIADB_ADMIN_URL}.get(backend)
    if admin_url is not None:
        problem = await _reachable(admin_url)
        if problem:
            if REQUIRE_ALL:
                pytest.fail(f"{backend} is required (HELPLINE_REQUIRE_DBS=1): {problem}")
            pytest.skip(f"{backend} not reachable: {problem}")
        args += ["--database-url", admin_url]
    report = await asyncio.to_thread(run_bench, tmp_path, *args)
    assert_nothing_lost(report)
    assert list(report["scenarios"]) == ["bot"]
    bot = report["scenarios"]["bot"]
    assert bot["scenario"]["bot"] is True
    # Both phases write from phones never seen: the bot greets each of those customers.
    # Its messages are written and announced in the same transaction as the customer's,
    # just before it, so they are in by the time the customer's event is.
    for name in ("throughput", "paced"):
        greeted = bot["phases"][name]["other_events"].get("message:new (bot)", 0)
        assert greeted >= CUSTOMERS, (name, bot["phases"][name]["other_events"])
