"""What the background workers that drain a table in batches share (the delivery worker,
the media fetcher): a wake-up signal, and the loop that runs batch after batch and, when
a batch was not full, waits until woken or the poll interval ends."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Wakeup:
    """Set when new work was committed, so it is picked up at once instead of at the
    next poll."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Until set, or `seconds` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()


async def drain_forever(
    run_once: Callable[[], Awaitable[int]],
    batch_size: int,
    wakeup: Wakeup,
    poll_seconds: float,
    what: str,
) -> None:
    while True:
        try:
            handled = await run_once()
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad batch must not stop the worker
            log.exception("%s batch failed; retrying", what)
            handled = 0
        if handled < batch_size:
            await wakeup.wait(poll_seconds)
