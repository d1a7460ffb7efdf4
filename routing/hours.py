"""Business hours: is a department open at a moment, and when does it open next."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.model import BusinessHours, Department, TimeRange, to_utc

# Far enough to step over a long run of holidays; a schedule with no hours at all gives None sooner.
_SEARCH_DAYS = 400


@lru_cache(maxsize=256)
def zone(name: str) -> tzinfo:
    """The named zone, or UTC when the name is unknown: a typo in settings must not stop routing.

    routing.policy_io rejects unknown names when a department is saved, so this is only a last resort.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def known_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _overnight(span: TimeRange) -> bool:
    return span.end <= span.start


def _ranges_on(hours: BusinessHours, day: date) -> tuple[TimeRange, ...]:
    if day in hours.holidays:
        return ()
    return hours.weekly.get(day.weekday(), ())


def hours_open(hours: BusinessHours, now: datetime) -> bool:
    local = to_utc(now).astimezone(zone(hours.timezone))
    today, wall = local.date(), local.time().replace(tzinfo=None)
    for span in _ranges_on(hours, today):
        if _overnight(span):
            if wall >= span.start:
                return True
        elif span.start <= wall < span.end:
            return True
    # A range that started yesterday evening belongs to yesterday, holidays included.
    return any(_overnight(span) and wall < span.end for span in _ranges_on(hours, today - timedelta(days=1)))


def hours_next_open(hours: BusinessHours, now: datetime) -> datetime | None:
    now = to_utc(now)
    if hours_open(hours, now):
        return now
    if not any(hours.weekly.values()):
        return None
    tz = zone(hours.timezone)
    first_day = now.astimezone(tz).date()
    for offset in range(_SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        starts = sorted(
            to_utc(datetime.combine(day, span.start, tzinfo=tz)) for span in _ranges_on(hours, day)
        )
        for start in starts:
            if start > now:
                return start
    return None


def is_open(department: Department | None, now: datetime) -> bool:
    if department is None or department.hours is None:
        return True
    return hours_open(department.hours, now)


def next_open(department: Department | None, now: datetime) -> datetime | None:
    """`now` when open, the next opening (UTC) when closed, None when the schedule never opens."""
    if department is None or department.hours is None:
        return to_utc(now)
    return hours_next_open(department.hours, now)


def _spans_from(hours: BusinessHours, start: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """Open intervals (UTC, in order) from the day before `start` for `days` days; overnight ranges whole."""
    tz = zone(hours.timezone)
    first_day = start.astimezone(tz).date() - timedelta(days=1)
    spans: list[tuple[datetime, datetime]] = []
    for offset in range(days + 1):
        day = first_day + timedelta(days=offset)
        for span in _ranges_on(hours, day):
            opens = to_utc(datetime.combine(day, span.start, tzinfo=tz))
            close_day = day + timedelta(days=1) if _overnight(span) else day
            spans.append((opens, to_utc(datetime.combine(close_day, span.end, tzinfo=tz))))
    return sorted(spans)


def open_seconds_between(hours: BusinessHours | None, start: datetime, end: datetime) -> float:
    """Open seconds in [start, end]: wall-clock seconds without hours."""
    start, end = to_utc(start), to_utc(end)
    if end <= start:
        return 0.0
    if hours is None:
        return (end - start).total_seconds()
    total = 0.0
    for opens, closes in _spans_from(hours, start, (end - start).days + 2):
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total


def after_open_seconds(hours: BusinessHours | None, start: datetime, seconds: float) -> datetime | None:
    """The moment `seconds` of open time have passed since `start` (the clock stops while closed).

    Without hours the department is always open (start + seconds); None when the schedule never opens.
    """
    start = to_utc(start)
    if hours is None:
        return start + timedelta(seconds=seconds)
    if not any(hours.weekly.values()):
        return None
    left = seconds
    for opens, closes in _spans_from(hours, start, _SEARCH_DAYS):
        lo = max(opens, start)
        if closes <= lo:
            continue
        room = (closes - lo).total_seconds()
        if left <= room:
            return lo + timedelta(seconds=left)
        left -= room
    return None
