"""Summary statistics of durations: count, average, median and 90th percentile, exactly reproducible."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    count: int
    average: float | None
    median: float | None
    p90: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"count": self.count, "average": self.average, "median": self.median, "p90": self.p90}


def nearest_rank(ordered: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted values: the smallest value with `fraction` of values at or below."""
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(ordered: list[float]) -> float:
    """The middle value; the mean of the two middle values when the count is even."""
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def summarize(values: Iterable[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary(0, None, None, None)
    # Durations are whole milliseconds: rounding the mean to them keeps two computations equal.
    average = round(math.fsum(ordered) / len(ordered), 3)
    return Summary(len(ordered), average, median(ordered), nearest_rank(ordered, 0.9))
