"""The one source of "now". Everything asks `utcnow()`, so tests (and a future simulated
clock) can move time by replacing `source`."""

from collections.abc import Callable
from datetime import UTC, datetime


def _system_now() -> datetime:
    return datetime.now(UTC)


source: Callable[[], datetime] = _system_now


def utcnow() -> datetime:
    return source()
