"""Wakes the delivery worker when a transaction that queued messages commits, so replies
leave at once instead of at the next poll."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.batches import Wakeup
from helpline.db import COMMITTED

WAKEUP = Wakeup()


def mark_dirty(session: AsyncSession) -> None:
    session.info["outbox_dirty"] = True


def notify() -> None:
    WAKEUP.set()


async def _after_commit(info: dict[str, Any]) -> None:
    if info.pop("outbox_dirty", False):
        notify()


COMMITTED.connect(_after_commit)
