"""How fast one visitor may send: a burst, then a steady rate (a token bucket per visitor id).

Kept in the process that holds the visitor's sockets; every socket of one visitor on this process
shares one bucket. Buckets that have refilled are forgotten, so idle visitors cost no memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    at: float


class VisitorLimits:
    def __init__(self, burst: int, per_second: float, clock: Callable[[], float] = time.monotonic,
                 keep: int = 10_000) -> None:
        self.burst = max(int(burst), 1)
        self.per_second = max(float(per_second), 1e-6)
        self.clock = clock
        self.keep = keep
        self._buckets: dict[str, _Bucket] = {}

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        return min(float(self.burst), bucket.tokens + (now - bucket.at) * self.per_second)

    def take(self, visitor_id: str) -> float:
        """0.0 when the visitor may send now (one token taken); else seconds until the next token."""
        now = self.clock()
        bucket = self._buckets.get(visitor_id)
        tokens = float(self.burst) if bucket is None else self._refilled(bucket, now)
        if tokens >= 1.0:
            self._buckets[visitor_id] = _Bucket(tokens - 1.0, now)
            if len(self._buckets) > self.keep:
                self._forget_full(now)
            return 0.0
        self._buckets[visitor_id] = _Bucket(tokens, now)
        return (1.0 - tokens) / self.per_second

    def _forget_full(self, now: float) -> None:
        for key in [k for k, b in self._buckets.items() if self._refilled(b, now) >= self.burst]:
            del self._buckets[key]
