from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel

HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")


def to_minutes(value: str) -> int:
    if not HHMM.match(value):
        raise ValueError(f"'{value}' is not a time like 09:30")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def to_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Interval(ApiModel):
    start: str
    end: str

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if to_minutes(self.end) <= to_minutes(self.start):
            raise ValueError(
                f"ends ({self.end}) before it starts ({self.start}); split overnight hours in two"
            )
        return self


def _no_overlap(intervals: list[Interval], where: str) -> None:
    spans = sorted((to_minutes(i.start), to_minutes(i.end)) for i in intervals)
    for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
        if s2 < e1:
            raise ValueError(f"overlapping intervals on {where}")


class WeeklyIn(Interval):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")


class ExceptionIn(ApiModel):
    date: date
    intervals: list[Interval] = Field(default_factory=list, max_length=10)
    note: str | None = Field(default=None, max_length=120)


class ScheduleIn(ApiModel):
    timezone: str = "UTC"
    courtesy_message: str | None = Field(default=None, max_length=1000)
    intervals: list[WeeklyIn] = Field(default_factory=list, max_length=100)
    exceptions: list[ExceptionIn] = Field(default_factory=list, max_length=400)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{value}' (an IANA name, e.g. America/Argentina/Buenos_Aires)"
            ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleIn:
        for weekday in range(7):
            _no_overlap([i for i in self.intervals if i.weekday == weekday], f"weekday {weekday}")
        days = [e.date for e in self.exceptions]
        if len(days) != len(set(days)):
            raise ValueError("a date is listed twice in exceptions")
        for exc in self.exceptions:
            _no_overlap(exc.intervals, str(exc.date))
        return self


class ScheduleOut(ScheduleIn):
    area_id: int


class OpenStatus(ApiModel):
    area_id: int
    open: bool
    configured: bool
    next_opening: datetime | None
