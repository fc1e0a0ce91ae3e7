"""The one source of "now", so tests and the scheduler can control time."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
