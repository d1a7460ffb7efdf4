"""Open live streams follow their user's current rights, checked for the whole process at once.

Every RIGHTS_CHECK_SECONDS one task reads the users, the sessions and the API tokens behind all of
this process's open streams: three reads however many streams are open (one read per stream and
collection would be 1,000 reads a second for 1,000 open inboxes, the embedded database's whole
budget). Each stream is told what changed: its user as the database has them now, or None once the
session or token has ended or the user was deactivated. The task starts with the first stream and
stops after the last one, like hub/assign/presence.py's heartbeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from bson import ObjectId

from hub.access.auth import usable_user
from hub.clock import utcnow
from hub.store import users
from hub.store.db import Doc

if TYPE_CHECKING:  # annotations only: the running hub sits above this layer
    from hub.runtime import Hub

log = logging.getLogger(__name__)
# Deactivation, a password reset or a department taken away reaches an open stream within this long.
RIGHTS_CHECK_SECONDS = 2.0


def rights_of(user: Doc) -> dict[str, object]:
    """What a stream's filter judges by (and what a `rights` event announces)."""
    return {"role": user.get("role"), "department_ids": sorted(str(d) for d in user.get("department_ids") or [])}


class WatchedStream:
    """One open stream's view of its user; `changed` is set when `user` was replaced or ended."""

    def __init__(self, user: Doc, session_id: str | None, token_hash: str | None) -> None:
        self.user_id: ObjectId = user["_id"]
        self.session_id = session_id
        self.token_hash = token_hash
        self.user: Doc | None = user  # None: signed out, deactivated or reset; the stream must end
        self.changed = asyncio.Event()
        # Called after `changed` is set, so a stream waiting on something else (its events) wakes too.
        self.on_change: Callable[[], None] | None = None

    def _update(self, current: Doc | None) -> None:
        if self.user is None:
            return
        if current is None or rights_of(current) != rights_of(self.user):
            self.user = current  # replaced, not mutated: the stream's filter reads it on every event
            self.changed.set()
            if self.on_change is not None:
                self.on_change()


class RightsWatch:
    """This process's open streams, re-checked together by ONE task."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.streams: set[WatchedStream] = set()
        self._task: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def watch(self, user: Doc, *, session_id: str | None, token_hash: str | None) -> Iterator[WatchedStream]:
        stream = WatchedStream(user, session_id, token_hash)
        self.streams.add(stream)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="live-rights-check")
        try:
            yield stream
        finally:
            self.streams.discard(stream)

    async def _run(self) -> None:
        while self.streams:
            await asyncio.sleep(RIGHTS_CHECK_SECONDS)
            try:
                await self.check()
            except Exception:
                # The database is away (it is supervised elsewhere; no events flow either): keep the
                # last verdicts and look again at the next interval.
                log.warning("live streams could not re-check rights; trying again shortly", exc_info=True)

    async def check(self) -> None:
        """One pass: three reads for every open stream of this process, then each stream told."""
        streams = list(self.streams)
        if not streams:
            return
        db = self.hub.db
        found = await users.user_map(db, [s.user_id for s in streams])
        sessions = await users.live_session_ids(db, sorted({s.session_id for s in streams if s.session_id}),
                                                utcnow())
        tokens = await users.live_token_hashes(db, sorted({s.token_hash for s in streams if s.token_hash}))
        for stream in streams:
            signed_in = stream.session_id in sessions if stream.session_id else stream.token_hash in tokens
            user = found.get(stream.user_id)
            stream._update(usable_user(dict(user)) if signed_in and user is not None else None)


def rights_watch(hub: Hub) -> RightsWatch:
    if hub.rights is None:
        hub.rights = RightsWatch(hub)
    return hub.rights
