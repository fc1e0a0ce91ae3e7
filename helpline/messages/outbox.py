"""Wakes the delivery worker when a transaction that queued messages commits, so replies
leave at once instead of at the next poll."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.batches import Wakeup

WAKEUP = Wakeup()


def mark_dirty(session: AsyncSession) -> None:
    session.info["outbox_dirty"] = True


def notify() -> None:
    WAKEUP.set()
