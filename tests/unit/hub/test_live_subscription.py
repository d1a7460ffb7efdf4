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


def _change(collection: str, operation: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {"_id": {"_data": str(doc["_id"])}, "ns": {"coll": collection}, "operationType": operation,
            "fullDocument": doc}


async def test_with_many_streams_a_conversation_update_goes_out_with_the_message_that_follows_it() -> None:
    from bson import ObjectId

    from hub.live import events

    bus = _bus()
    listeners = [bus.subscribe(lambda event: True) for _ in range(events.HOLD_FROM_SUBSCRIBERS)]
    conversation = {"_id": ObjectId(), "status": "open"}
    await bus._dispatch(_change("conversations", "update", conversation))
    assert listeners[0].drain() == []  # held for the message
    await bus._dispatch(_change("messages", "insert", {"_id": ObjectId(), "conversation_id": conversation["_id"]}))
    for listener in listeners:
        assert [(event.collection, event.operation) for event in listener.drain()] == [
            ("conversations", "update"), ("messages", "insert")]
    assert listeners[0].drain() == []


async def test_a_held_conversation_update_goes_out_alone_when_nothing_follows() -> None:
    from bson import ObjectId

    from hub.live import events

    bus = _bus()
    listeners = [bus.subscribe(lambda event: True) for _ in range(events.HOLD_FROM_SUBSCRIBERS)]
    await bus._dispatch(_change("conversations", "update", {"_id": ObjectId(), "status": "resolved"}))
    await asyncio.wait_for(listeners[-1].wait(5), 1)
    assert [event.doc["status"] for event in listeners[-1].drain()] == ["resolved"]


async def test_with_few_streams_a_conversation_update_is_not_held() -> None:
    from bson import ObjectId

    bus = _bus()
    with bus.subscribe(lambda event: True) as subscription:
        await bus._dispatch(_change("conversations", "update", {"_id": ObjectId(), "status": "open"}))
        assert [event.collection for event in subscription.drain()] == ["conversations"]


async def test_an_update_of_a_held_conversation_is_built_from_the_event_without_reading_it() -> None:
    from bson import ObjectId

    bus = _bus()  # no database: a read would fail
    conversation = {"_id": ObjectId(), "status": "pending", "channels": ["sms"], "active": True}
    with bus.subscribe(lambda event: True) as subscription:
        await bus._dispatch(_change("conversations", "insert", conversation))
        await bus._dispatch({"_id": {"_data": "2"}, "ns": {"coll": "conversations"}, "operationType": "update",
                             "documentKey": {"_id": conversation["_id"]},
                             "updateDescription": {"updatedFields": {"status": "open", "channels.1": "whatsapp"},
                                                   "removedFields": ["active"], "truncatedArrays": []}})
        update = subscription.drain()[-1]
    assert update.doc == {"_id": conversation["_id"], "status": "open", "channels": ["sms", "whatsapp"]}
    assert conversation["status"] == "pending"  # the held copy an earlier event carried is left as it was
