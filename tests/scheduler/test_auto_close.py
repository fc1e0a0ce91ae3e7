"""Auto-close: silent conversations close, the customer is told, one process does it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from helpline import clock
from helpline.db import Database
from helpline.messages.models import Message
from helpline.scheduler.leader import exclusive
from helpline.scheduler.service import auto_close
from tests.conftest import App, CapturedEvents, eventually


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """Controls the clock: set `later[0]` to move "now"."""
    now = [clock.utcnow()]
    monkeypatch.setattr(clock, "source", lambda: now[0])
    yield now


async def write(admin: httpx.AsyncClient, phone: str) -> int:
    response = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": "hola"})
    conv_id: int = response.json()["conversation"]["id"]
    return conv_id


async def test_silent_conversations_close_with_the_message(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents, later: list[datetime]
) -> None:
    silent = await write(admin, "+5491155550001")
    later[0] += timedelta(minutes=20)
    lively = await write(admin, "+5491155550002")
    later[0] += timedelta(minutes=11)  # silent: 31 min, lively: 11 min
    events.clear()

    assert await auto_close(app.db, app.settings) == 1
    assert (await admin.get(f"/api/conversations/{silent}")).json()["status"] == "closed"
    assert (await admin.get(f"/api/conversations/{lively}")).json()["status"] == "pending"
    assert [e.payload["conversation"]["id"] for e in events.named("conversation:closed")] == [
        silent
    ]
    timeline = (await admin.get(f"/api/conversations/{silent}/events")).json()
    assert timeline[-1]["type"] == "closed" and timeline[-1]["note"] == "inactivity"
    assert timeline[-1]["actorUserId"] is None

    async def told() -> bool:
        outbound = (
            await admin.get("/api/sandbox/1/outbound", params={"to": "+5491155550001"})
        ).json()
        return [(m["body"], m["status"]) for m in outbound] == [
            ("Chat finalizado por inactividad", "delivered")
        ]

    await eventually(told)
    assert await auto_close(app.db, app.settings) == 0  # nothing twice


@pytest.mark.settings(auto_close_minutes=0)
async def test_zero_minutes_disables_auto_close(
    app: App, admin: httpx.AsyncClient, later: list[datetime]
) -> None:
    conv_id = await write(admin, "+5491155550001")
    later[0] += timedelta(hours=3)
    assert await auto_close(app.db, app.settings) == 0
    assert (await admin.get(f"/api/conversations/{conv_id}")).json()["status"] == "pending"


async def test_several_processes_close_each_conversation_once(
    app: App, admin: httpx.AsyncClient, later: list[datetime], db_url: str
) -> None:
    ids = [await write(admin, f"+54911555600{n:02d}") for n in range(12)]
    later[0] += timedelta(hours=1)
    # Three "processes": each its own engine and connection pool on the same database.
    others = [Database(db_url) for _ in range(2)]
    try:
        counts = await asyncio.gather(*(auto_close(db, app.settings) for db in [app.db, *others]))
    finally:
        for db in others:
            await db.dispose()
    assert sum(counts) == len(ids)
    async with app.db.sessionmaker() as session:
        notices = await session.scalar(
            select(func.count()).select_from(Message).where(Message.sender == "system")
        )
    assert notices == len(ids)


async def test_the_lock_admits_one_holder(app: App) -> None:
    if app.db.dialect == "sqlite":
        pytest.skip("SQLite serves one process; its writes are serialized without a lock")
    other = Database(app.db.url)
    try:
        async with exclusive(app.db, "t") as first, exclusive(other, "t") as second:
            assert (first, second) == (True, False)
        async with exclusive(other, "t") as again:
            assert again is True
    finally:
        await other.dispose()
