from __future__ import annotations

from datetime import UTC, date, datetime, time

from routing.hours import is_open, next_open
from routing.model import BusinessHours, TimeRange
from tests.unit.routing.builders import NOW, TEHRAN_WEEK, department

TEHRAN = department("office", hours=TEHRAN_WEEK)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_open_within_weekly_hours_in_department_time_zone() -> None:
    assert is_open(TEHRAN, NOW)  # Monday 13:30 in Tehran
    assert is_open(TEHRAN, utc(2025, 6, 2, 5, 30))  # 09:00 sharp


def test_closed_outside_hours_and_on_the_weekend() -> None:
    assert not is_open(TEHRAN, utc(2025, 6, 2, 13, 30))  # 17:00 sharp: the end is exclusive
    assert not is_open(TEHRAN, utc(2025, 6, 6, 8, 0))  # Friday


def test_holiday_counts_as_closed() -> None:
    holiday = department(
        "office", hours=BusinessHours("Asia/Tehran", TEHRAN_WEEK.weekly, frozenset({date(2025, 6, 2)}))
    )

    assert not is_open(holiday, NOW)
    assert next_open(holiday, NOW) == utc(2025, 6, 3, 5, 30)


def test_overnight_range_stays_open_after_midnight_but_not_after_a_holiday_evening() -> None:
    nights = BusinessHours("UTC", {0: (TimeRange(time(22), time(6)),)})
    holiday_monday = BusinessHours("UTC", nights.weekly, frozenset({date(2025, 6, 2)}))

    assert is_open(department("n", hours=nights), utc(2025, 6, 3, 3, 0))  # Tuesday 03:00
    assert not is_open(department("n", hours=nights), utc(2025, 6, 3, 7, 0))
    assert not is_open(department("n", hours=holiday_monday), utc(2025, 6, 3, 3, 0))


def test_all_day_range() -> None:
    all_day = department("d", hours=BusinessHours("UTC", {0: (TimeRange(time(0), time(0)),)}))

    assert is_open(all_day, utc(2025, 6, 2, 0, 0))
    assert is_open(all_day, utc(2025, 6, 2, 23, 59))
    assert not is_open(all_day, utc(2025, 6, 3, 0, 0))


def test_next_open_skips_the_weekend() -> None:
    wednesday_evening = utc(2025, 6, 4, 14, 0)  # 17:30 in Tehran; Thursday and Friday are off

    assert next_open(TEHRAN, wednesday_evening) == utc(2025, 6, 7, 5, 30)  # Saturday 09:00


def test_next_open_is_now_when_open_and_none_when_never() -> None:
    never = department("never", hours=BusinessHours("UTC", {}))

    assert next_open(TEHRAN, NOW) == NOW
    assert next_open(never, NOW) is None
    assert not is_open(never, NOW)


def test_department_without_hours_is_always_open() -> None:
    assert is_open(department("24-7"), utc(2025, 6, 6, 3, 0))


def test_opening_follows_daylight_saving_time() -> None:
    new_york = department("ny", hours=BusinessHours("America/New_York", {0: (TimeRange(time(9), time(17)),)}))

    assert next_open(new_york, utc(2025, 1, 5, 0, 0)) == utc(2025, 1, 6, 14, 0)  # EST, UTC-5
    assert next_open(new_york, utc(2025, 7, 6, 0, 0)) == utc(2025, 7, 7, 13, 0)  # EDT, UTC-4


def test_unknown_time_zone_falls_back_to_utc_instead_of_failing() -> None:
    typo = department("t", hours=BusinessHours("Mars/Olympus", {0: (TimeRange(time(9), time(17)),)}))

    assert is_open(typo, utc(2025, 6, 2, 9, 0))
    assert not is_open(typo, utc(2025, 6, 2, 8, 59))
