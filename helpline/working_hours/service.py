"""Working hours: is an area open at a moment, when does it open next, and the schedule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.working_hours.models import DateException, WeeklyInterval
from helpline.working_hours.schemas import (
    ExceptionIn,
    Interval,
    ScheduleIn,
    ScheduleOut,
    WeeklyIn,
    to_hhmm,
    to_minutes,
)

Span = tuple[int, int]  # minutes after local midnight


@dataclass
class Schedule:
    """An area's opening hours, loaded once and asked pure questions (no I/O)."""

    timezone: str = "UTC"
    weekly: dict[int, list[Span]] = field(default_factory=dict)
    exceptions: dict[date, list[Span]] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.weekly or self.exceptions)

    def spans_on(self, day: date) -> list[Span]:
        if day in self.exceptions:
            return self.exceptions[day]
        return self.weekly.get(day.weekday(), [])

    def local(self, at: datetime) -> datetime:
        return at.astimezone(ZoneInfo(self.timezone))

    def is_open(self, at: datetime) -> bool:
        if not self.configured:  # no schedule: always open
            return True
        local = self.local(at)
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.spans_on(local.date()))

    def next_opening(self, at: datetime, horizon_days: int = 60) -> datetime | None:
        if self.is_open(at):
            return at
        local = self.local(at)
        zone = ZoneInfo(self.timezone)
        for offset in range(horizon_days + 1):
            day = local.date() + timedelta(days=offset)
            for start, _end in sorted(self.spans_on(day)):
                opening = datetime.combine(day, time(start // 60, start % 60), zone)
                if opening > local:
                    return opening
        return None


async def load(session: AsyncSession, area: Area) -> Schedule:
    schedule = Schedule(timezone=area.timezone)
    for row in await session.scalars(
        select(WeeklyInterval).where(WeeklyInterval.area_id == area.id)
    ):
        schedule.weekly.setdefault(row.weekday, []).append((row.start, row.end))
    for exc in await session.scalars(select(DateException).where(DateException.area_id == area.id)):
        spans = schedule.exceptions.setdefault(exc.day, [])
        if exc.start is not None and exc.end is not None:
            spans.append((exc.start, exc.end))
    return schedule


async def get_schedule(session: AsyncSession, area: Area) -> ScheduleOut:
    schedule = await load(session, area)
    notes = {
        e.day: e.note
        for e in await session.scalars(
            select(DateException).where(DateException.area_id == area.id)
        )
    }
    return ScheduleOut(
        area_id=area.id,
        timezone=area.timezone,
        courtesy_message=area.courtesy_message,
        intervals=[
            WeeklyIn(weekday=wd, start=to_hhmm(s), end=to_hhmm(e))
            for wd, spans in sorted(schedule.weekly.items())
            for s, e in sorted(spans)
        ],
        exceptions=[
            ExceptionIn(
                date=day,
                intervals=[Interval(start=to_hhmm(s), end=to_hhmm(e)) for s, e in sorted(spans)],
                note=notes.get(day),
            )
            for day, spans in sorted(schedule.exceptions.items())
        ],
    )


async def replace_schedule(session: AsyncSession, area: Area, data: ScheduleIn) -> ScheduleOut:
    """The whole schedule at once: validated first (in the schema), so nothing is half-written."""
    area.timezone = data.timezone
    area.courtesy_message = data.courtesy_message
    await session.execute(delete(WeeklyInterval).where(WeeklyInterval.area_id == area.id))
    await session.execute(delete(DateException).where(DateException.area_id == area.id))
    session.add_all(
        WeeklyInterval(
            area_id=area.id, weekday=i.weekday, start=to_minutes(i.start), end=to_minutes(i.end)
        )
        for i in data.intervals
    )
    for exc in data.exceptions:
        if not exc.intervals:
            session.add(DateException(area_id=area.id, day=exc.date, note=exc.note))
        session.add_all(
            DateException(
                area_id=area.id,
                day=exc.date,
                start=to_minutes(i.start),
                end=to_minutes(i.end),
                note=exc.note,
            )
            for i in exc.intervals
        )
    await session.flush()
    return await get_schedule(session, area)
