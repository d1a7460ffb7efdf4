"""Live events: one change stream per hub process, fanned out to in-process subscribers.

Writes go to MongoDB first; what agents and visitors see comes from the change stream, so every
hub process (not just the one that took the write) hears it, and nothing is published that did not
commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from channels.base import stop_tasks
from hub import names as model
from hub.live.change_apply import applied
from hub.store import conversations as conversation_store
from hub.store.db import Db, Doc
from hub.store.documents import Conversation, as_conversation, changed_document
from hub.store.view_tally import ViewTally

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    collection: str  # "messages", "conversations", "conversation_viewers" or "notifications"
    operation: str  # insert, update, replace
    doc: Doc
    # The conversation the event belongs to (for messages: its parent); None for a notification, which
    # goes to its one owner whatever they may see now.
    conversation: Conversation | None
    token: str  # the change stream resume token, usable as SSE id
    # Renderings shared by every subscriber (one SSE payload per event, not one per open inbox).
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


Predicate = Callable[[Event], bool]
# With this many listeners, a conversation update waits up to HOLD_SECONDS for the next event.
HOLD_FROM_SUBSCRIBERS = 100
HOLD_SECONDS = 0.05


class Subscription:
    """One listener's events, in stream order, woken without a task per event.

    The bus appends to a bounded deque and resolves the listener's one waiting future; a listener
    drains everything that arrived meanwhile in one go (`drain()`), so a burst of events costs one
    wake-up per listener, not one per event. `get()` hands them out one at a time instead."""

    def __init__(self, bus: EventBus, predicate: Predicate, maxsize: int) -> None:
        self._bus = bus
        self.predicate = predicate
        self.maxsize = maxsize
        self._events: deque[Event] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False

    def offer(self, event: Event) -> None:
        if len(self._events) >= self.maxsize:
            # A stuck client must not hold memory for everyone; it is told to reload.
            self.overflowed = True
        else:
            self._events.append(event)
        self.wake()

    def wake(self) -> None:
        """End the current `wait()` (an event arrived, or something else the listener watches changed)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self, timeout: float | None = None) -> None:
        """Return once an event is waiting, `wake()` was called, or after `timeout` seconds."""
        if self._events or self.overflowed:
            return
        loop = asyncio.get_running_loop()
        self._waiter = waiter = loop.create_future()
        timer = loop.call_later(timeout, self.wake) if timeout is not None else None
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def drain(self) -> list[Event]:
        """Every event waiting now, oldest first."""
        events = list(self._events)
        self._events.clear()
        return events

    async def get(self) -> Event:
        while not self._events:
            await self.wait()
        return self._events.popleft()

    def close(self) -> None:
        self._bus.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self, db: Db) -> None:
        self._db = db
        self._subscribers: set[Subscription] = set()
        self._task: asyncio.Task[None] | None = None
        self._conversation_cache: dict[ObjectId, Conversation] = {}
        self.ready = asyncio.Event()
        self._stopping = False
        self._held: list[Event] = []  # conversation updates waiting for the message that follows them
        self._release_timer: asyncio.TimerHandle | None = None
        self.tally = ViewTally()  # the inbox tabs' counts, kept from this stream (hub/store/view_tally.py)

    def subscribe(self, predicate: Predicate, maxsize: int = 1000) -> Subscription:
        sub = Subscription(self, predicate, maxsize)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self._subscribers.discard(sub)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="change-stream")
        # Wait until the stream is open so no write after start-up is missed.
        await asyncio.wait_for(self.ready.wait(), 30)

    async def stop(self) -> None:
        self._stopping = True
        await stop_tasks(self._task)
        self._task = None
        self._release()

    async def _run(self) -> None:
        resume: Any = None
        # conversation_viewers: who is looking at or typing in a conversation (hub/store/viewers.py);
        # notifications: the bell's (hub/live/notify.py), new ones and ones marked read.
        watched = [model.MESSAGES, model.CONVERSATIONS, "conversation_viewers", model.NOTIFICATIONS]
        pipeline = [{"$match": {"ns.coll": {"$in": watched},
                                "operationType": {"$in": ["insert", "update", "replace"]}}}]
        while not self._stopping:
            try:
                # The tally's snapshot must be older than every event applied to it: when resuming, read it
                # before reopening (the events since `resume` are looked up after it); on a first start,
                # after opening and before the first event is consumed (nothing before the open is owed).
                if resume is not None:
                    await self._load_tally()
                # No updateLookup: an update's document is the held conversation with the event's
                # updateDescription applied (hub/live/change_apply.py), read only when not held.
                async with await self._db.watch(pipeline, resume_after=resume, batch_size=256) as stream:
                    self.ready.set()
                    if resume is None:
                        await self._load_tally()
                    async for change in stream:
                        resume = change["_id"]
                        await self._dispatch(change)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.tally.forget()
                self._conversation_cache.clear()  # held copies may have missed updates
                log.exception("change stream broke; reopening in 1s")
                await asyncio.sleep(1)

    async def _load_tally(self) -> None:
        try:
            await self.tally.load(self._db)
        except Exception:  # the counts then come from the database, as without a tally
            self.tally.forget()
            log.exception("inbox tally not loaded; counting in the database")

    async def _dispatch(self, change: Doc) -> None:
        collection = change["ns"]["coll"]
        doc = change.get("fullDocument")
        if doc is None and change.get("operationType") == "update":
            doc = await self._updated(collection, change)
        if doc is None:
            return
        conversation: Conversation | None = None
        if collection == model.CONVERSATIONS:
            conversation = known = as_conversation(doc)
            self._remember(known)
            self.tally.apply(known)
        elif collection != model.NOTIFICATIONS:
            conversation = await self._conversation(doc.get("conversation_id"))
        token = str(change["_id"].get("_data", "")) if isinstance(change["_id"], dict) else ""
        event = Event(collection, change["operationType"], doc, conversation, token)
        if collection == model.CONVERSATIONS and event.operation == "update" \
                and len(self._subscribers) >= HOLD_FROM_SUBSCRIBERS:
            # Most conversation updates are a new message's "last message" fields, and the message's own
            # event follows within milliseconds. With many streams open, fanning the update out at once
            # keeps the loop from that message's ingest for the whole fan-out; held briefly, both go out
            # together, one wake-up and one write per stream. Order is kept: held events go first.
            self._held.append(event)
            if self._release_timer is None:
                self._release_timer = asyncio.get_running_loop().call_later(HOLD_SECONDS, self._release)
            return
        self._release()
        self._offer(event)

    def _release(self) -> None:
        """Offer the held conversation updates, oldest first."""
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None
        held, self._held = self._held, []
        for event in held:
            self._offer(event)

    def _offer(self, event: Event) -> None:
        for sub in list(self._subscribers):
            try:
                if sub.predicate(event):
                    sub.offer(event)
            except Exception:
                log.exception("event predicate failed")

    async def _updated(self, collection: str, change: Doc) -> Doc | None:
        """The document after an update event: a held conversation with the change applied, else read."""
        key = change.get("documentKey") or {}
        key_id = key.get("_id")
        held = self._conversation_cache.get(key_id) \
            if collection == model.CONVERSATIONS and isinstance(key_id, ObjectId) else None
        if held is not None and "updateDescription" in change:
            return applied(held, change["updateDescription"])
        return await changed_document(self._db, collection, key) if key else None

    def _remember(self, conversation: Conversation) -> None:
        if len(self._conversation_cache) > 50_000:
            self._conversation_cache.clear()
        self._conversation_cache[conversation["_id"]] = conversation

    async def _conversation(self, conversation_id: Any) -> Conversation | None:
        if not isinstance(conversation_id, ObjectId):
            return None
        cached = self._conversation_cache.get(conversation_id)
        if cached is None:
            cached = await conversation_store.get(self._db, conversation_id)
            if cached is not None:
                self._remember(cached)
        return cached
