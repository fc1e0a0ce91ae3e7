"""Presence under concurrency: many consoles of one user opening and closing at once."""

from __future__ import annotations

import asyncio

import httpx

from helpline.presence import service as presence
from tests.conftest import App, make_user


async def test_many_consoles_of_one_user_open_and_close_at_once(
    app: App, admin: httpx.AsyncClient
) -> None:
    user = await make_user(admin, "busy_agent", password="Busy-agent-2026!")
    sids = [f"sid-{n}" for n in range(12)]
    # Before the fix MariaDB answered some of these with a deadlock (1213).
    await asyncio.gather(*(presence.connected(app.db, user["id"], sid) for sid in sids))
    async with app.db.sessionmaker() as session:
        assert await presence.online(session, user["id"])
    await asyncio.gather(*(presence.disconnected(app.db, user["id"], sid) for sid in sids))
    async with app.db.sessionmaker() as session:
        assert not await presence.online(session, user["id"])
