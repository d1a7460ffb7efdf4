"""Waiting for something another task, thread or process does: one helper, so every wait has a deadline
and a failure that says what never happened (and what was last seen). Only the outcome is asserted,
never how long it took."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def poll_until(check: Callable[[], Awaitable[T | None]], what: str, *, timeout: float = 15,
                     every: float = 0.05) -> T:
    """Call `check` until it returns something truthy, and return that; past `timeout` seconds, fail
    saying `what` was awaited and the last value `check` gave."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        last = await check()
        if last:
            return last
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout:g}s (last seen: {last!r})")
        await asyncio.sleep(every)
