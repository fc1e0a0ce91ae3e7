"""Wakes the delivery worker when a transaction that queued messages commits, so replies
leave at once instead of at the next poll."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession

_wakeup: asyncio.Event | None = None


def _event() -> asyncio.Event:
    global _wakeup
    if _wakeup is None:
        _wakeup = asyncio.Event()
    return _wakeup


def mark_dirty(session: AsyncSession) -> None:
    session.info["outbox_dirty"] = True


def notify() -> None:
    _event().set()


async def wait(seconds: float) -> None:
    """Until something was queued, or `seconds` passed."""
    event = _event()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
    event.clear()
