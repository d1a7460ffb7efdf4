"""Seconds between two moments that fall inside a department's business hours (its calendar and holidays)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from routing.hours import zone
from routing.model import BusinessHours, to_utc


def _open_spans(hours: BusinessHours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The open intervals (UTC) that may overlap [start, end]; a range past midnight belongs to its first day."""
    tz = zone(hours.timezone)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    spans: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day not in hours.holidays:
            for span in hours.weekly.get(day.weekday(), ()):
                opens = to_utc(datetime.combine(day, span.start, tzinfo=tz))
                close_day = day + timedelta(days=1) if span.end <= span.start else day
                closes = to_utc(datetime.combine(close_day, span.end, tzinfo=tz))
                spans.append((opens, closes))
        day += timedelta(days=1)
    return spans


def business_seconds(hours: BusinessHours | None, start: datetime, end: datetime,
                     paused: Iterable[tuple[datetime, datetime]] = ()) -> float:
    """Open seconds in [start, end] outside the `paused` spans (snoozes, which do not overlap); a department
    without hours is always open (wall-clock seconds)."""
    total = _open_seconds(hours, start, end)
    for lo, hi in paused:
        lo, hi = max(to_utc(lo), to_utc(start)), min(to_utc(hi), to_utc(end))
        if hi > lo:
            total -= _open_seconds(hours, lo, hi)
    return max(0.0, total)


def _open_seconds(hours: BusinessHours | None, start: datetime, end: datetime) -> float:
    start, end = to_utc(start), to_utc(end)
    if end <= start:
        return 0.0
    if hours is None:
        return (end - start).total_seconds()
    total = 0.0
    for opens, closes in _open_spans(hours, start, end):
        lo, hi = max(opens, start), min(closes, end)
        if hi > lo:
            total += (hi - lo).total_seconds()
    return total
