"""The pure report arithmetic: business-hours seconds follow the calendar, holidays and overnight ranges;
median, p90 and average; buckets and the heat map fall in the chosen time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hub.metrics.buckets import bucket_label, count_by_bucket, heat_map
from hub.metrics.business_time import business_seconds
from hub.metrics.stats import summarize
from routing.model import BusinessHours, TimeRange

NINE_TO_FIVE = BusinessHours("Europe/Berlin", {d: (TimeRange(time(9), time(17)),) for d in range(5)})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_department_without_hours_counts_wall_clock_seconds() -> None:
    assert business_seconds(None, at("2026-03-02T10:00"), at("2026-03-02T10:05")) == 300


def test_only_open_hours_count_across_a_night_and_a_weekend() -> None:
    # Friday 16:00 Berlin (15:00 UTC) to Monday 10:00 Berlin (09:00 UTC): 1 h Friday + 1 h Monday.
    assert business_seconds(NINE_TO_FIVE, at("2026-03-06T15:00"), at("2026-03-09T09:00")) == 7200


def test_a_holiday_is_closed_all_day() -> None:
    hours = BusinessHours("Europe/Berlin", NINE_TO_FIVE.weekly, frozenset({date(2026, 3, 9)}))
    assert business_seconds(hours, at("2026-03-06T15:00"), at("2026-03-10T09:00")) == 7200


def test_a_range_past_midnight_belongs_to_the_day_it_starts() -> None:
    night = BusinessHours("UTC", {0: (TimeRange(time(22), time(6)),)})  # Monday 22:00 to Tuesday 06:00
    assert business_seconds(night, at("2026-03-02T21:00"), at("2026-03-03T07:00")) == 8 * 3600
    assert business_seconds(night, at("2026-03-03T21:00"), at("2026-03-04T07:00")) == 0


def test_summary_gives_nearest_rank_p90_and_the_middle_median() -> None:
    summary = summarize([10, 1, 4, 3, 2, 9, 8, 7, 6, 5])
    assert (summary.count, summary.average, summary.median, summary.p90) == (10, 5.5, 5.5, 9)
    assert summarize([]).as_dict() == {"count": 0, "average": None, "median": None, "p90": None}


def test_buckets_and_heat_map_use_the_chosen_time_zone() -> None:
    tehran = ZoneInfo("Asia/Tehran")  # +03:30
    late = at("2026-03-01T21:00")  # Sunday 21:00 UTC is Monday 00:30 in Tehran
    assert bucket_label(late, "day", tehran) == "2026-03-02"
    assert bucket_label(late, "week", UTC) == "2026-02-23"
    assert bucket_label(late, "month", UTC) == "2026-03-01"
    assert count_by_bucket([late, at("2026-03-01T20:00")], "hour", tehran) == {
        "2026-03-01T23:00": 1, "2026-03-02T00:00": 1}
    grid = heat_map([late], tehran)
    assert grid[0][0] == 1 and sum(map(sum, grid)) == 1
