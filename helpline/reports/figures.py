"""Pure arithmetic of the reports (no I/O): median and percentile, and the
tally one table row is made of. The same code on every database: SQL percentiles differ
between SQLite, PostgreSQL and MariaDB, so rows come back raw and are counted here."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from helpline.reports.schemas import ReportCounts, ReportDurations, TimeBasis


def median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def nearest_rank(values: list[float], percent: int) -> float | None:
    """The smallest value with at least `percent`% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(math.ceil(percent * len(ordered) / 100) - 1, 0)])


@dataclass
class Timings:
    """Durations of one kind for one row, and whether they were counted in business hours."""

    values: list[float] = field(default_factory=list)
    business: int = 0

    def add(self, seconds: float, business: bool) -> None:
        self.values.append(seconds)
        self.business += business

    def out(self) -> ReportDurations:
        return ReportDurations(
            count=len(self.values),
            median_seconds=median(self.values),
            p90_seconds=nearest_rank(self.values, 90),
            basis=self.basis,
        )

    @property
    def basis(self) -> TimeBasis | None:
        if not self.values:
            return None
        if self.business == len(self.values):
            return "business"
        return "clock" if self.business == 0 else "mixed"


@dataclass
class Tally:
    """Everything one row of a table counts."""

    opened: int = 0
    closed: int = 0
    reopened: int = 0
    messages_in: int = 0
    messages_out: int = 0
    bot_resolved: int = 0
    first_response: Timings = field(default_factory=Timings)
    resolution: Timings = field(default_factory=Timings)
    ratings: list[int] = field(default_factory=list)  # survey answers, 1 to 5
    first_response_breaches: int = 0  # service targets missed
    resolution_breaches: int = 0

    @property
    def satisfaction(self) -> float | None:
        """The mean rating, to two decimals."""
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None

    def counts(self) -> dict[str, object]:
        share = self.bot_resolved / self.closed if self.closed else None
        return ReportCounts(
            opened=self.opened,
            closed=self.closed,
            reopened=self.reopened,
            messages_in=self.messages_in,
            messages_out=self.messages_out,
            bot_resolved=self.bot_resolved,
            bot_resolved_share=share,
            first_response=self.first_response.out(),
            resolution=self.resolution.out(),
            satisfaction=self.satisfaction,
            satisfaction_responses=len(self.ratings),
            first_response_breaches=self.first_response_breaches,
            resolution_breaches=self.resolution_breaches,
        ).model_dump()
