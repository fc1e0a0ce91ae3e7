"""Periodic jobs. Each runs on its own timer; a failing run is logged and retried next time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import func, select

from helpline import metrics
from helpline.areas.models import Area
from helpline.auth.service import purge_expired_sessions
from helpline.clock import utcnow
from helpline.config import Settings
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.routing import drain_areas, release_absent
from helpline.conversations.service import close
from helpline.db import Database
from helpline.messages.models import Sender
from helpline.messages.service import queue_outbound
from helpline.scheduler.leader import exclusive

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
            metrics.SCHEDULER_RUNS.labels(name, "error").inc()
        else:
            metrics.SCHEDULER_RUNS.labels(name, "ok").inc()


async def release_absent_operators(db: Database, settings: Settings) -> int:
    """Conversations of operators gone past the grace period go back to the queue."""
    async with exclusive(db, "helpline:presence") as leader:
        if not leader:
            return 0
        async with db.sessionmaker() as session:
            released = await release_absent(
                session, timedelta(seconds=settings.presence_grace_seconds)
            )
            await session.commit()
    if released:
        log.info("returned %s conversations of absent operators to their queues", released)
    return released


async def open_queues(db: Database) -> int:
    """Areas that just opened: their waiting conversations enter assignment."""
    async with exclusive(db, "helpline:open-queues") as leader:
        if not leader:
            return 0
        async with db.sessionmaker() as session:
            area_ids = list(await session.scalars(select(Area.id).where(Area.active.is_(True))))
            assigned = await drain_areas(session, area_ids)
            await session.commit()
    return assigned


async def cleanup_sessions(db: Database) -> int:
    async with db.sessionmaker() as session:
        removed = await purge_expired_sessions(session)
        await session.commit()
    if removed:
        log.info("removed %s expired sessions", removed)
    return removed


async def auto_close(db: Database, settings: Settings, batch: int = 200) -> int:
    """Close conversations silent for AUTO_CLOSE_MINUTES, telling the customer why."""
    if settings.auto_close_minutes <= 0:
        return 0
    cutoff = utcnow() - timedelta(minutes=settings.auto_close_minutes)
    closed = 0
    async with exclusive(db, "helpline:auto-close") as leader:
        if not leader:
            return 0
        async with db.sessionmaker() as session:
            stale = await session.scalars(
                select(Conversation)
                .where(
                    Conversation.status != ConversationStatus.CLOSED.value,
                    func.coalesce(Conversation.last_message_at, Conversation.created_at) < cutoff,
                )
                .order_by(Conversation.id)
                .limit(batch)
            )
            for conv in stale.unique():
                await queue_outbound(session, conv, settings.auto_close_message, Sender.SYSTEM)
                await close(session, None, conv, note="inactivity")
                closed += 1
            await session.commit()
    if closed:
        log.info("auto-closed %s inactive conversations", closed)
    return closed
