"""A stop ends every background task, even one whose first cancel was lost inside a driver call."""

from __future__ import annotations

import asyncio

import pytest

from channels.base import stop_tasks


async def test_a_task_that_swallows_its_first_cancel_is_asked_again_until_it_ends() -> None:
    cancels = 0

    async def stubborn() -> None:
        nonlocal cancels
        while True:
            try:
                await asyncio.sleep(3600)  # like a loop that goes back to sleep after a lost cancel
            except asyncio.CancelledError:
                cancels += 1
                if cancels >= 3:
                    raise

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await asyncio.wait_for(stop_tasks(task, None), timeout=10)
    assert task.cancelled() and cancels == 3


async def test_a_task_that_had_failed_is_logged_and_the_others_still_stop(caplog: pytest.LogCaptureFixture) -> None:
    async def failed() -> None:
        raise RuntimeError("broke before the stop")

    broken = asyncio.create_task(failed(), name="broken-loop")
    sleeper = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0)
    await stop_tasks(broken, sleeper)
    assert sleeper.cancelled()
    assert "background task broken-loop had failed" in caplog.text
