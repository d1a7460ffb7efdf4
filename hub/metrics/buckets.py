"""Time buckets in a chosen zone (hour, day, week from Monday, month) and the weekday × hour heat map."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Final, Literal

from routing.model import to_utc

Bucket = Literal["hour", "day", "week", "month"]
BUCKETS: Final = ("hour", "day", "week", "month")


def bucket_start(at: datetime, bucket: Bucket, tz: tzinfo) -> datetime:
    """The local start of the bucket holding `at` (an aware datetime in `tz`)."""
    local = to_utc(at).astimezone(tz)
    if bucket == "hour":
        start = local.replace(minute=0, second=0, microsecond=0)
    elif bucket == "day":
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif bucket == "week":
        start = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    # Re-localise: a bucket's start may sit on the other side of a DST change than `at`.
    return start.replace(tzinfo=None).replace(tzinfo=tz)


def bucket_starts(start: datetime, end: datetime, bucket: Bucket, tz: tzinfo) -> list[datetime]:
    """The local starts of every bucket that overlaps [start, end), in order."""
    starts: list[datetime] = []
    cursor = bucket_start(start, bucket, tz)
    while cursor < end:
        starts.append(cursor)
        local = cursor.replace(tzinfo=None)
        if bucket == "hour":
            # Whole UTC hours: a local hour repeated or skipped by a DST change stays one bucket each.
            following = (to_utc(cursor) + timedelta(hours=1)).astimezone(tz)
        elif bucket == "day":
            following = (local + timedelta(days=1)).replace(tzinfo=tz)
        elif bucket == "week":
            following = (local + timedelta(days=7)).replace(tzinfo=tz)
        else:
            following = (local.replace(day=28) + timedelta(days=4)).replace(day=1).replace(tzinfo=tz)
        cursor = bucket_start(following, bucket, tz)
    return starts


def bucket_label(at: datetime, bucket: Bucket, tz: tzinfo) -> str:
    start = bucket_start(at, bucket, tz)
    return start.strftime("%Y-%m-%dT%H:00") if bucket == "hour" else start.strftime("%Y-%m-%d")


def count_by_bucket(moments: Iterable[datetime], bucket: Bucket, tz: tzinfo) -> dict[str, int]:
    counts = Counter(bucket_label(at, bucket, tz) for at in moments)
    return dict(sorted(counts.items()))


def heat_map(moments: Iterable[datetime], tz: tzinfo) -> list[list[int]]:
    """7 rows (Monday first) of 24 hourly counts, in local time."""
    grid = [[0] * 24 for _ in range(7)]
    for at in moments:
        local = to_utc(at).astimezone(tz)
        grid[local.weekday()][local.hour] += 1
    return grid
