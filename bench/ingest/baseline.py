"""Baseline: the same rows straight into a fresh database, without HTTP."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from bench.ingest.common import BATCH, CHANNEL_ID, BenchError, Scenario, customer_phone, now
from bench.ingest.databases import BenchDatabases

# --- baseline: the same rows, straight into a fresh database --------------------------------


async def _fresh_channel_db(url: str) -> None:
    from sqlalchemy import update

    from helpline.channels import crypto
    from helpline.db import Database
    from helpline.demo import seed_demo
    from helpline.flows.models import Flow

    crypto.configure(secrets.token_urlsafe(48))  # the seed seals the channel's config
    db = Database(url)
    try:
        await seed_demo(db)  # the admin and sandbox channel 1, as the server has them
        async with db.sessionmaker() as session:  # and the bot paused, as in the load phases
            await session.execute(update(Flow).values(active=False))
            await session.commit()
    finally:
        await db.dispose()


def _new_id(result: Any) -> int:
    pk = result.inserted_primary_key
    assert pk is not None
    return int(pk[0])


async def baseline_core(url: str, customers: int, messages: int, batch: int) -> dict[str, Any]:
    """Core INSERT/UPDATE of what ingest writes: contact + conversation + "opened" event the
    first time a customer writes, then the message and the conversation's last-message
    fields. `batch` messages per transaction, one connection, nothing else."""
    from sqlalchemy import update

    from helpline.clock import utcnow
    from helpline.db import create_engine
    from helpline.models import Base

    t = Base.metadata.tables
    contacts, convs, events, msgs = (
        t["contacts"],
        t["conversations"],
        t["conversation_events"],
        t["messages"],
    )
    engine = create_engine(url)
    conv_ids: dict[int, int] = {}
    try:
        async with engine.connect() as conn:
            t0 = now()
            for start in range(0, messages, batch):
                async with conn.begin():
                    for seq in range(start, min(start + batch, messages)):
                        c = seq % customers
                        ts = utcnow()
                        if c not in conv_ids:
                            r = await conn.execute(
                                contacts.insert().values(
                                    phone=customer_phone(c),
                                    name=f"Cliente {c}",
                                    created_at=ts,
                                    updated_at=ts,
                                )
                            )
                            contact_id = _new_id(r)
                            r = await conn.execute(
                                convs.insert().values(
                                    channel_id=CHANNEL_ID,
                                    contact_id=contact_id,
                                    status="pending",
                                    open_key=f"{CHANNEL_ID}:{contact_id}",
                                    unread_count=0,
                                    created_at=ts,
                                )
                            )
                            conv_ids[c] = _new_id(r)
                            await conn.execute(
                                events.insert().values(
                                    conversation_id=conv_ids[c],
                                    type="opened",
                                    new_value="pending",
                                    created_at=ts,
                                )
                            )
                        body = f"bench baseline {seq}"
                        await conn.execute(
                            msgs.insert().values(
                                conversation_id=conv_ids[c],
                                channel_id=CHANNEL_ID,
                                direction="in",
                                sender="contact",
                                type="text",
                                body=body,
                                status="received",
                                provider_message_id=f"baseline-{seq}",
                                attempts=0,
                                created_at=ts,
                            )
                        )
                        await conn.execute(
                            update(convs)
                            .where(convs.c.id == conv_ids[c])
                            .values(
                                last_message_at=ts,
                                last_message_preview=body,
                                unread_count=convs.c.unread_count + 1,
                            )
                        )
            elapsed = now() - t0
    finally:
        await engine.dispose()
    return {
        "messages": messages,
        "transaction_size": batch,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(messages / elapsed, 1),
    }


async def baseline_service(url: str, customers: int, messages: int) -> dict[str, Any]:
    """`ingest_message()` itself, one session per message, sequential: the app's ORM work
    without HTTP, auth, validation of the request or Socket.IO (no server: events drop)."""
    from helpline.channels.models import Channel
    from helpline.channels.providers.base import InboundMessage
    from helpline.db import Database
    from helpline.messages.ingest import ingest_message
    from helpline.wiring import connect_hooks

    connect_hooks()  # as create_app does: the bot takes its turn in ingest
    db = Database(url)
    try:
        t0 = now()
        for seq in range(messages):
            c = seq % customers
            async with db.sessionmaker() as session:
                channel = await session.get(Channel, CHANNEL_ID)
                assert channel is not None
                await ingest_message(
                    session,
                    channel,
                    InboundMessage(
                        f"baseline-{seq}",
                        customer_phone(c),
                        f"bench baseline {seq}",
                        f"Cliente {c}",
                    ),
                )
        elapsed = now() - t0
    finally:
        await db.dispose()
    return {
        "messages": messages,
        "transaction_size": 1,
        "elapsed_s": round(elapsed, 3),
        "rows_per_s": round(messages / elapsed, 1),
    }


def baseline_names(scenarios: list[Scenario], info: bool = True) -> list[str]:
    """Per scenario, the same inbound rows one transaction each (the ratio's denominator);
    with `info`, for the first scenario also one transaction per 100 and `ingest_message()`."""
    names = [f"per_message_{sc.name}" for sc in scenarios]
    return [*names, "batched", "service"] if info else names


def _prepare(dbs: BenchDatabases, names: list[str]) -> None:
    from helpline.migrations.runner import upgrade

    for name in names:
        url = dbs.baseline_urls[name]
        upgrade(url)  # must run outside an event loop
        asyncio.run(_fresh_channel_db(url))


class BaselinePreparation:
    """Migrates and seeds the baselines' fresh databases in a thread, while the first
    scenario's server starts (migrating its own database, with its imports, is most of a
    short run). Joined before any load phase, so it never competes with what is timed;
    the inserts themselves run after the servers stop (`run_baselines`)."""

    def __init__(self, dbs: BenchDatabases, names: list[str]):
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(dbs, names), name="baseline-prepare", daemon=True
        )

    def _run(self, dbs: BenchDatabases, names: list[str]) -> None:
        try:
            _prepare(dbs, names)
        except BaseException as exc:  # noqa: BLE001 - raised again by wait()
            self.error = exc

    def start(self) -> None:
        """Once, by the first scenario, just after its server was started."""
        if self._thread.ident is None:
            print("  migrating the baselines' fresh databases meanwhile ...", flush=True)
            self._thread.start()

    def join(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()

    def wait(self) -> None:
        self.start()
        self.join()
        if self.error is not None:
            raise BenchError(f"preparing the baseline databases failed: {self.error!r}")


def run_baselines(
    dbs: BenchDatabases, scenarios: list[Scenario], info: bool = True
) -> dict[str, Any]:
    """The baselines' inserts, into databases `BaselinePreparation` migrated and seeded."""
    first = scenarios[0]
    jobs: dict[str, Callable[[str], Coroutine[Any, Any, dict[str, Any]]]] = {
        f"per_message_{sc.name}": (
            lambda u, sc=sc: baseline_core(u, sc.customers, sc.messages, 1)  # type: ignore[misc]
        )
        for sc in scenarios
    }
    if info:
        jobs["batched"] = lambda u: baseline_core(u, first.customers, first.messages, BATCH)
        jobs["service"] = lambda u: baseline_service(u, first.customers, first.messages)
    assert list(jobs) == baseline_names(scenarios, info)
    out: dict[str, Any] = {}
    for name, job in jobs.items():
        print(f"baseline {name}: inserting ...", flush=True)
        out[name] = asyncio.run(job(dbs.baseline_urls[name]))
    return out
