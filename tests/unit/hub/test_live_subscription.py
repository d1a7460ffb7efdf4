"""A live subscription hands its listener every event in order, wakes it once per burst, and gives up on
a listener that falls too far behind."""

from __future__ import annotations

import asyncio
from typing import Any, cast

from hub.live.events import Event, EventBus
from hub.store.db import Db


def _event(n: int) -> Event:
    return Event("messages", "insert", {"_id": n}, None, str(n))


def _bus() -> EventBus:
    return EventBus(cast(Db, cast(Any, None)))  # subscribing never touches the database


async def test_a_burst_is_drained_in_one_go_in_stream_order() -> None:
    bus = _bus()
    with bus.subscribe(lambda event: True) as subscription:
        for n in range(3):
            subscription.offer(_event(n))
        await asyncio.wait_for(subscription.wait(5), 1)  # returns at once: events are waiting
        assert [event.doc["_id"] for event in subscription.drain()] == [0, 1, 2]
        assert subscription.drain() == []


async def test_a_waiting_listener_wakes_when_an_event_arrives() -> None:
    bus = _bus()
    with bus.subscribe(lambda event: True) as subscription:
        waiting = asyncio.ensure_future(subscription.wait(30))
        await asyncio.sleep(0)
        assert not waiting.done()
        subscription.offer(_event(7))
        await asyncio.wait_for(waiting, 1)
        assert [event.doc["_id"] for event in subscription.drain()] == [7]


async def test_a_quiet_wait_ends_after_its_timeout_or_when_woken() -> None:
    bus = _bus()
    with bus.subscribe(lambda event: True) as subscription:
        await asyncio.wait_for(subscription.wait(0.01), 1)
        waiting = asyncio.ensure_future(subscription.wait(30))
        await asyncio.sleep(0)
        subscription.wake()  # e.g. the stream's rights changed
        await asyncio.wait_for(waiting, 1)
        assert subscription.drain() == []


async def test_get_hands_out_events_one_at_a_time() -> None:
    bus = _bus()
    with bus.subscribe(lambda event: True) as subscription:
        getting = asyncio.ensure_future(subscription.get())
        await asyncio.sleep(0)
        subscription.offer(_event(1))
        subscription.offer(_event(2))
        assert (await asyncio.wait_for(getting, 1)).doc["_id"] == 1
        assert (await subscription.get()).doc["_id"] == 2


async def test_a_listener_that_falls_behind_is_marked_overflowed_and_keeps_no_more() -> None:
    bus = _bus()
    with bus.subscribe(lambda event: True, maxsize=2) as subscription:
        for n in range(5):
            subscription.offer(_event(n))
        assert subscription.overflowed
        assert len(subscription.drain()) == 2


async def test_a_closed_subscription_hears_nothing_more() -> None:
    bus = _bus()
    subscription = bus.subscribe(lambda event: True)
    assert bus.subscriber_count == 1
    subscription.close()
    assert bus.subscriber_count == 0
