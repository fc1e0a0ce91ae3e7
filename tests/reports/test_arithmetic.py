"""The pure arithmetic of the reports: business time and percentiles."""

from __future__ import annotations

from datetime import UTC, date, datetime

from helpline.reports.figures import median, nearest_rank
from helpline.working_hours.business_time import after_open_seconds, open_seconds
from helpline.working_hours.service import Schedule

WEEKDAYS = {d: [(9 * 60, 13 * 60), (14 * 60, 18 * 60)] for d in range(5)}


def test_median_and_nearest_rank() -> None:
    assert median([]) is None and nearest_rank([], 90) is None
    assert median([5.0]) == 5.0 and nearest_rank([5.0], 90) == 5.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5
    # ceil(0.9 n)-th smallest: 9th of 10, 10th of 11, 1st of 1.
    assert nearest_rank([float(i) for i in range(1, 11)], 90) == 9.0
    assert nearest_rank([float(i) for i in range(1, 12)], 90) == 10.0
    assert nearest_rank([3.0, 1.0, 2.0], 50) == 2.0


def test_breaks_weekends_and_holidays() -> None:
    schedule = Schedule("UTC", WEEKDAYS, {date(2026, 3, 16): []})  # Monday 16: a holiday
    friday_noon = datetime(2026, 3, 13, 12, tzinfo=UTC)
    tuesday_ten = datetime(2026, 3, 17, 10, tzinfo=UTC)
    # Friday 12-13 and 14-18, nothing on the weekend nor the holiday, Tuesday 9-10.
    assert open_seconds(schedule, friday_noon, tuesday_ten) == (1 + 4 + 1) * 3600
    closed = datetime(2026, 3, 14, 10, tzinfo=UTC)  # a Saturday
    assert open_seconds(schedule, closed, closed.replace(hour=20)) == 0
    assert open_seconds(schedule, tuesday_ten, friday_noon) == 0


def test_a_days_end_and_a_clock_change() -> None:
    # New York, across the start of summer time (Sunday 8 March 2026, 02:00 -> 03:00):
    # Saturday 22:00 until midnight (1440) is 2 hours; Sunday's 00:00-03:00 is only 2,
    # as the clocks skip an hour.
    schedule = Schedule("America/New_York", {5: [(22 * 60, 1440)], 6: [(0, 3 * 60)]})
    start = datetime(2026, 3, 8, 3, tzinfo=UTC)  # Saturday 7 March 22:00 EST
    end = datetime(2026, 3, 8, 12, tzinfo=UTC)  # Sunday 08:00 EDT
    assert open_seconds(schedule, start, end) == 2 * 3600 + 2 * 3600


def test_when_open_time_runs_out() -> None:
    schedule = Schedule("UTC", WEEKDAYS, {date(2026, 3, 16): []})  # Monday 16: a holiday
    friday_noon = datetime(2026, 3, 13, 12, tzinfo=UTC)
    # 1 h on Friday before lunch, 4 h after it, the weekend and the holiday skipped.
    assert after_open_seconds(schedule, friday_noon, 3600) == friday_noon.replace(hour=13)
    assert after_open_seconds(schedule, friday_noon, 2 * 3600) == friday_noon.replace(hour=15)
    tuesday = datetime(2026, 3, 17, 9, 30, tzinfo=UTC)
    assert after_open_seconds(schedule, friday_noon, 5.5 * 3600) == tuesday
    # Started while closed: the clock starts at the next opening.
    saturday = datetime(2026, 3, 14, 10, tzinfo=UTC)
    assert after_open_seconds(schedule, saturday, 60) == datetime(2026, 3, 17, 9, 1, tzinfo=UTC)
    # The inverse of open_seconds.
    end = after_open_seconds(schedule, friday_noon, 7 * 3600)
    assert end is not None and open_seconds(schedule, friday_noon, end) == 7 * 3600
    assert after_open_seconds(Schedule("UTC", {}), friday_noon, 60) is None  # never open
