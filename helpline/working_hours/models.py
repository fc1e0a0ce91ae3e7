from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.audit.tracking import track
from helpline.db import Base


class WeeklyInterval(Base):
    """An area is open on `weekday` (0 = Monday) from `start` to `end`, minutes after local
    midnight in the area's time zone (end may be 1440: until midnight)."""

    __tablename__ = "working_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class DateException(Base):
    """A dated override: with no interval (start/end NULL) the area is closed all that day
    (a holiday); rows with intervals are that day's only opening hours (special openings)."""

    __tablename__ = "working_hour_exceptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(120))


track(WeeklyInterval, "working_hours")
track(DateException, "working_hours_exception")
