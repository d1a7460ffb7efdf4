"""An agent is connected while they hold a live /inbox/events stream on any hub process.

Each stream keeps a presence record alive with heartbeats; when an agent's first stream opens, the
queue is offered to them (capacity appeared), without delaying the stream itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

from hub.clock import utcnow
from hub.context import Hub
from hub.routing_runtime import runtime
from hub.store import agents
from hub.store.db import Doc

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def live_agent(hub: Hub, user: Doc) -> AsyncIterator[None]:
    from hub.routing_moves import offer_queue_to

    rt = runtime(hub)
    ttl = timedelta(seconds=rt.settings.presence_seconds)
    stream_id = f"{hub.process_id}:{secrets.token_hex(8)}"
    user_id = user["_id"]
    try:
        now = utcnow()
        if await agents.presence_open(hub.db, stream_id, user_id, hub.process_id, now, now + ttl):
            rt.spawn(offer_queue_to(hub, user_id, utcnow()), f"offer-queue-{user_id}")
    except Exception:  # the stream still works; routing treats the agent as not connected
        log.exception("presence not recorded user=%s", user_id)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(ttl.total_seconds() / 3)
            try:
                await agents.presence_beat(hub.db, stream_id, user_id, utcnow() + ttl)
            except Exception:
                log.exception("presence heartbeat failed user=%s", user_id)

    beat = asyncio.create_task(heartbeat(), name=f"presence-{stream_id}")
    try:
        yield
    finally:
        beat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beat
        try:
            await asyncio.shield(agents.presence_close(hub.db, stream_id, user_id, utcnow()))
        except Exception:  # the record expires on its own
            log.exception("presence not closed user=%s", user_id)
