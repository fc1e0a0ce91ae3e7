"""Dashboard benchmark: how long `GET /api/dashboard`'s computation takes on a big desk.

Fills a fresh database (a temp SQLite file, or --database-url for an empty PostgreSQL or
MariaDB database) with --conversations conversations and --messages messages spread
over the last 30 days (a thirtieth of them today; 2% of the conversations open), 4 areas,
40 agents and 3 numbers,
then times the snapshot (every query) plus an admin's and a supervisor's view,
--runs times, and prints p50/p95/max in ms. No server: the service function alone.

Usage: python -m bench.dashboard [--conversations 100000] [--messages 1000000]
                                 [--runs 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from helpline.areas.models import Area, UserArea
from helpline.auth.models import User
from helpline.channels import crypto
from helpline.channels.models import Channel
from helpline.clock import utcnow
from helpline.contacts.models import Contact
from helpline.conversations.models import Conversation
from helpline.dashboard import service
from helpline.db import Database
from helpline.messages.models import Message
from helpline.migrations.runner import upgrade

AREAS = 4
AGENTS = 40
CHANNELS = 3
DAYS = 30
CHUNK = 10_000


async def fill(db: Database, conversations: int, messages: int) -> None:
    rng = random.Random(7)
    now = utcnow()
    async with db.engine.begin() as conn:
        await conn.execute(
            insert(Area), [{"name": f"Area {a}", "capacity": 5} for a in range(1, AREAS + 1)]
        )
        await conn.execute(
            insert(User),
            [
                {"username": f"agent{u}", "name": f"Agent {u}", "password_hash": "x"}
                for u in range(1, AGENTS + 1)
            ],
        )
        await conn.execute(
            insert(UserArea),
            [{"user_id": u, "area_id": 1 + u % AREAS} for u in range(1, AGENTS + 1)],
        )
        await conn.execute(
            insert(Channel),
            [
                {"name": f"N{c}", "provider": "sandbox", "config": {}}
                for c in range(1, CHANNELS + 1)
            ],
        )
    for start in range(0, conversations, CHUNK):
        ids = range(start + 1, min(start + CHUNK, conversations) + 1)
        contacts = [{"phone": f"+549{i:010d}"} for i in ids]
        convs = []
        for i in ids:
            opened = now - timedelta(seconds=rng.randrange(DAYS * 86400))
            # Most conversations of a month are closed; 2% are open now.
            status = rng.choice(["closed"] * 98 + ["active", "pending"])
            convs.append(
                {
                    "channel_id": 1 + i % CHANNELS,
                    "contact_id": i,
                    "area_id": 1 + i % AREAS,
                    "assigned_user_id": None if status == "pending" else 1 + i % AGENTS,
                    "status": status,
                    "open_key": None if status == "closed" else f"{1 + i % CHANNELS}:{i}",
                    "waiting_since": opened if status == "pending" else None,
                    "created_at": opened,
                    "closed_at": opened + timedelta(minutes=30) if status == "closed" else None,
                }
            )
        async with db.engine.begin() as conn:
            await conn.execute(insert(Contact), contacts)
            await conn.execute(insert(Conversation), convs)
    per_conv = max(1, messages // conversations)
    made = 0
    while made < messages:
        rows: list[dict[str, Any]] = []
        while len(rows) < CHUNK and made < messages:
            conv = 1 + (made // per_conv) % conversations
            k = made % per_conv
            # Conversations are ordered in time only roughly: spread the days evenly.
            at = (
                now
                - timedelta(seconds=(DAYS * 86400) * (conv / conversations))
                + timedelta(minutes=k)
            )
            inbound = k % 2 == 0
            rows.append(
                {
                    "conversation_id": conv,
                    "channel_id": 1 + conv % CHANNELS,
                    "direction": "in" if inbound else "out",
                    "sender": "contact" if inbound else "operator",
                    "sender_user_id": None if inbound else 1 + conv % AGENTS,
                    "body": "x",
                    "status": "received" if inbound else "delivered",
                    "created_at": min(at, now),
                }
            )
            made += 1
        async with db.engine.begin() as conn:
            await conn.execute(insert(Message), rows)


async def measure(db: Database, runs: int) -> tuple[list[float], float]:
    """Wall times (ms) of each run, and this process's CPU ms per run: with SQLite the
    database works in this process, so that is what a quiet machine's wall time would be."""
    admin = service.Scope("all", 0, frozenset())
    supervisor = service.Scope("areas", 0, frozenset({1, 2}))
    took = []
    cpu = time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        async with db.sessionmaker() as session:
            snap = await service.snapshot(session)
        service.view(snap, admin)
        service.view(snap, supervisor)
        took.append((time.perf_counter() - started) * 1000)
    return took, (time.process_time() - cpu) * 1000 / runs


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpline-bench-") as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        crypto.configure("bench-only-secret")  # the numbers' configs are sealed
        db = Database(url)
        try:
            started = time.perf_counter()
            await fill(db, args.conversations, args.messages)
            print(
                f"filled {args.conversations} conversations, {args.messages} messages "
                f"in {time.perf_counter() - started:.0f} s ({db.engine.dialect.name})"
            )
            await measure(db, 3)  # warm: connections, caches
            took, cpu = await measure(db, args.runs)
            took.sort()
            p95 = took[min(len(took) - 1, int(len(took) * 0.95))]
            print(
                f"dashboard snapshot + 2 views, {args.runs} runs: "
                f"p50 {statistics.median(took):.1f} ms, p95 {p95:.1f} ms, max {took[-1]:.1f} ms; "
                f"{cpu:.1f} ms CPU of this process per run"
            )
        finally:
            await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
