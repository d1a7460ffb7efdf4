"""An agent is connected while they hold a live /inbox/events stream on any hub process.

Each stream keeps a presence record alive with heartbeats; when an agent's first stream opens, the
queue is offered to them (capacity appeared), without delaying the stream itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from bson import ObjectId

from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import agents
from hub.store.db import Doc

log = logging.getLogger(__name__)


class PresenceTracker:
    """This process's live streams, counted per agent, kept alive in MongoDB by ONE heartbeat.

    One presence record per (process, agent), not per stream: 1,000 open inboxes on a process cost
    two writes per heartbeat interval instead of two thousand.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.streams: dict[ObjectId, int] = {}
        self._beat: asyncio.Task[None] | None = None

    def _ttl(self) -> timedelta:
        return timedelta(seconds=runtime(self.hub).settings.presence_seconds)

    def _record_id(self, user_id: ObjectId) -> str:
        return f"{self.hub.process_id}:{user_id}"

    async def opened(self, user_id: ObjectId) -> bool:
        """Count a stream; True when the agent just came online (no live record anywhere before)."""
        self.streams[user_id] = self.streams.get(user_id, 0) + 1
        if self._beat is None or self._beat.done():
            self._beat = asyncio.create_task(self._heartbeat(), name="presence-heartbeat")
        if self.streams[user_id] > 1:
            return False
        now = utcnow()
        return await agents.presence_open(self.hub.db, self._record_id(user_id), user_id, self.hub.process_id,
                                          now, now + self._ttl())

    async def closed(self, user_id: ObjectId) -> None:
        left = self.streams.get(user_id, 1) - 1
        if left > 0:
            self.streams[user_id] = left
            return
        self.streams.pop(user_id, None)
        await agents.presence_close(self.hub.db, self._record_id(user_id), user_id, utcnow())

    async def _heartbeat(self) -> None:
        while self.streams:
            await asyncio.sleep(self._ttl().total_seconds() / 3)
            try:
                await agents.presence_beat_process(self.hub.db, self.hub.process_id, list(self.streams),
                                                   utcnow() + self._ttl())
            except Exception:
                log.exception("presence heartbeat failed")


def tracker(hub: Hub) -> PresenceTracker:
    if hub.presence is None:
        hub.presence = PresenceTracker(hub)
    return hub.presence


@contextlib.asynccontextmanager
async def live_agent(hub: Hub, user: Doc) -> AsyncIterator[None]:
    from hub.assign.moves import offer_queue_to

    rt = runtime(hub)
    presence = tracker(hub)
    user_id = user["_id"]
    try:
        if await presence.opened(user_id):
            rt.spawn(offer_queue_to(hub, user_id, utcnow()), f"offer-queue-{user_id}")
    except Exception:  # the stream still works; routing treats the agent as not connected
        log.exception("presence not recorded user=%s", user_id)
    try:
        yield
    finally:
        try:
            await asyncio.shield(presence.closed(user_id))
        except Exception:  # the record expires on its own
            log.exception("presence not closed user=%s", user_id)
