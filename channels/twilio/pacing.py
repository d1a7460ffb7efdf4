"""Per-sender pacing: a long code takes about one SMS a second and a WhatsApp sender about ten; going
faster makes Twilio queue and then refuse. Each send waits for its own slot, so concurrent dispatcher
workers spread out instead of all hitting Twilio at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(self, per_second: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next_free: dict[str, float] = {}

    def reserve(self, sender: str, longest: float | None = None) -> float | None:
        """Book the sender's next slot; returns how long to wait for it, or None (nothing booked) when
        that would be longer than `longest`."""
        now = self._clock()
        slot = max(now, self._next_free.get(sender, now))
        if longest is not None and slot - now > longest:
            return None
        self._next_free[sender] = slot + self.interval
        return slot - now

    def free_in(self, sender: str) -> float:
        """Seconds until the sender's next free slot."""
        return max(self._next_free.get(sender, 0.0) - self._clock(), 0.0)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await self._sleep(seconds)

    def hold_off(self, sender: str, seconds: float) -> None:
        """Twilio said "too many requests": push this sender's next slot back."""
        self._next_free[sender] = max(self._next_free.get(sender, 0.0), self._clock() + seconds)
