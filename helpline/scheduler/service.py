"""Periodic jobs. Each runs on its own timer; a failing run is logged and retried next time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from helpline.auth.service import purge_expired_sessions
from helpline.db import Database

log = logging.getLogger(__name__)


async def every(seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled job %s failed", name)


async def cleanup_sessions(db: Database) -> int:
    async with db.sessionmaker() as session:
        removed = await purge_expired_sessions(session)
        await session.commit()
    if removed:
        log.info("removed %s expired sessions", removed)
    return removed
