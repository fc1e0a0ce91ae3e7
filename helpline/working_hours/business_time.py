"""Business time: how much of a span an area was open, and when a length of open time
runs out (a service target's deadline). Weekly hours and dated exceptions are read in the
area's own time zone; a break between two intervals does not count. Instants are compared
in UTC: subtracting two times of one zone ignores DST shifts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpline.working_hours.service import Schedule

HORIZON_DAYS = 400  # a deadline further away than this is none (an area open a day a year)


def open_seconds(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Seconds of [start, end) during which the area was open."""
    if end <= start:
        return 0.0
    total = 0.0
    for opens, closes in _open_spans(
        schedule, start, end.astimezone(ZoneInfo(schedule.timezone)).date()
    ):
        total += max((min(end, closes) - max(start, opens)).total_seconds(), 0.0)
    return total


def after_open_seconds(schedule: Schedule, start: datetime, seconds: float) -> datetime | None:
    """The instant when `seconds` of open time have passed since `start` (None: not within
    HORIZON_DAYS)."""
    left = seconds
    last = start.astimezone(ZoneInfo(schedule.timezone)).date() + timedelta(days=HORIZON_DAYS)
    for opens, closes in _open_spans(schedule, start, last):
        begins = max(start, opens)
        available = (closes - begins).total_seconds()
        if available <= 0:
            continue
        if left <= available:
            return begins + timedelta(seconds=left)
        left -= available
    return None


def _open_spans(
    schedule: Schedule, start: datetime, last: date
) -> Iterator[tuple[datetime, datetime]]:
    """The open spans (UTC) of the local days from `start`'s to `last`, in order."""
    zone = ZoneInfo(schedule.timezone)
    day = start.astimezone(zone).date()
    while day <= last:
        for first_minute, end_minute in schedule.spans_on(day):
            yield _at(day, first_minute, zone), _at(day, end_minute, zone)
        day += timedelta(days=1)


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local minute (1440: the next midnight)."""
    local = datetime.combine(day + timedelta(days=minute // 1440), time(), zone)
    local = local.replace(hour=(minute % 1440) // 60, minute=minute % 60)
    return local.astimezone(UTC)
