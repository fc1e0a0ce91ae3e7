"""What `GET /api/reports/...` take and answer. The figures are defined in
`helpline/reports/service.py` (and the README's "Reports" section)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from helpline.auth.schemas import ApiModel
from helpline.clock import utcnow
from helpline.db import RowId

MAX_DAYS = 366
DEFAULT_DAYS = 7

# business: every timed conversation belongs to an area with working hours, so only open
# hours count; clock: none does, so every second counts; mixed: some of each. Null: no
# conversation was timed.
TimeBasis = Literal["business", "clock", "mixed"]
ReportFormat = Literal["json", "csv"]


class ReportQuery(ApiModel):
    """A date range in the viewer's time zone (both days included) and optional filters.
    Without dates: the last 7 days up to today in `tz`."""

    date_from: date | None = Field(default=None, alias="from", description="first day")
    date_to: date | None = Field(default=None, alias="to", description="last day (included)")
    tz: str = Field(default="UTC", max_length=64, description="the viewer's IANA time zone")
    area_id: RowId | None = None
    channel_id: RowId | None = None
    agent_id: RowId | None = Field(default=None, description="a person (user id)")
    label_id: RowId | None = None
    format: ReportFormat = Field(default="json", description="csv: the table as a CSV file")

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as UTC") from None
        return value

    @model_validator(mode="after")
    def _sane_range(self) -> ReportQuery:
        if self.date_to is None:
            self.date_to = (
                utcnow().astimezone(ZoneInfo(self.tz)).date()
                if self.date_from is None
                else self.date_from + timedelta(days=DEFAULT_DAYS - 1)
            )
        if self.date_from is None:
            self.date_from = self.date_to - timedelta(days=DEFAULT_DAYS - 1)
        if self.date_to < self.date_from:
            raise ValueError("the last day (to) must not be before the first day (from)")
        if (self.date_to - self.date_from).days + 1 > MAX_DAYS:
            raise ValueError(f"a report covers at most {MAX_DAYS} days; choose a shorter range")
        return self

    @property
    def first_day(self) -> date:
        assert self.date_from is not None  # set by the validator
        return self.date_from

    @property
    def last_day(self) -> date:
        assert self.date_to is not None
        return self.date_to


class ReportDurations(ApiModel):
    """Seconds from start to end of each timed conversation. `median`: the middle value
    (the mean of the two middle ones for an even count); `p90`: the nearest-rank 90th
    percentile, the smallest value with at least 90% of the values at or below it."""

    count: int
    median_seconds: float | None
    p90_seconds: float | None
    basis: TimeBasis | None


class ReportCounts(ApiModel):
    opened: int
    closed: int
    # Opened by a customer whose previous conversation on the same number had closed less
    # than 24 hours before.
    reopened: int
    messages_in: int
    messages_out: int
    # Closed conversations that no person wrote in nor was assigned to.
    bot_resolved: int
    # bot_resolved / closed (0..1); null when nothing closed.
    bot_resolved_share: float | None
    first_response: ReportDurations
    resolution: ReportDurations
    satisfaction: float | None = Field(
        description="mean survey rating (1 to 5, two decimals) of the answers given in it"
    )
    satisfaction_responses: int
    first_response_breaches: int = Field(
        description="first-response targets missed, counted on the day they fell due"
    )
    resolution_breaches: int = Field(description="resolution targets missed, likewise")


class ReportRange(ApiModel):
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    tz: str
    starts_at: datetime
    ends_at: datetime
    generated_at: datetime


class ReportSummary(ApiModel):
    range: ReportRange
    totals: ReportCounts


class ReportDayRow(ReportCounts):
    day: date


class ReportDays(ApiModel):
    range: ReportRange
    days: list[ReportDayRow]


class ReportAgentRow(ApiModel):
    """A person's figures: conversations closed while assigned to them (and their
    resolution times), first responses they gave, messages they wrote."""

    id: int
    name: str
    closed: int
    messages_out: int
    first_response: ReportDurations
    resolution: ReportDurations
    satisfaction: float | None
    satisfaction_responses: int
    first_response_breaches: int
    resolution_breaches: int


class ReportAgents(ApiModel):
    range: ReportRange
    agents: list[ReportAgentRow]


class ReportAreaRow(ReportCounts):
    """id and name null: conversations not routed to any area yet (admins only)."""

    id: int | None
    name: str | None
    working_hours: bool


class ReportAreas(ApiModel):
    range: ReportRange
    areas: list[ReportAreaRow]
