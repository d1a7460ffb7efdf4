"""Seconds between two moments that fall inside a department's business hours (its calendar and holidays)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from routing.hours import open_seconds_between
from routing.model import BusinessHours, to_utc


def business_seconds(hours: BusinessHours | None, start: datetime, end: datetime,
                     paused: Iterable[tuple[datetime, datetime]] = ()) -> float:
    """Open seconds in [start, end] outside the `paused` spans (snoozes, which do not overlap); a department
    without hours is always open (wall-clock seconds)."""
    total = open_seconds_between(hours, start, end)
    for lo, hi in paused:
        lo, hi = max(to_utc(lo), to_utc(start)), min(to_utc(hi), to_utc(end))
        if hi > lo:
            total -= open_seconds_between(hours, lo, hi)
    return max(0.0, total)

