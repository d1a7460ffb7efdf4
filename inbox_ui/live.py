"""The agent's live stream (Server-Sent Events), filtered to what that agent may see now.

The stream follows the user's current rights: every RIGHTS_CHECK_SECONDS it re-reads the user
(and the session or token it was opened with). Signed out, deactivated or reset: the stream says
`reload` and ends. A changed role or department list narrows (or widens) the filter at once and is
announced as a `rights` event.

Every event's SSE id is the hub's clock in milliseconds when it was written out. A browser that
reconnects sends it back (Last-Event-ID, or ?last= when the page opens a new EventSource itself);
the `ready` event echoes it as `since`, and the page re-fetches what changed after that moment and
upserts it by element id, so a dropped connection loses nothing and duplicates nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from aiohttp import web
from pymongo.errors import PyMongoError

from hub import keys
from hub.access.auth import current_user, still_signed_in
from hub.actions.presence import viewer_payload
from hub.assign.presence import live_agent
from hub.clock import utcnow
from hub.http.params import parse_int, stamp_to_datetime
from hub.http.web import dumps
from hub.live.events import Event
from hub.store import conversations
from hub.store.db import Doc

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
HEARTBEAT_SECONDS = 15.0
# How often an open stream re-reads its user, session or token: deactivation, a password reset or a
# department taken away shows within this long (two reads by _id per stream per interval:
# the session or token, and the user).
RIGHTS_CHECK_SECONDS = 2.0


def event_payload(event: Event) -> dict[str, object]:
    doc = event.doc
    if event.collection == "messages":
        note = doc.get("direction") == "note"
        return {"type": "message", "op": event.operation, "id": doc["_id"],
                "conversation_id": doc.get("conversation_id"), "direction": doc.get("direction"),
                "status": doc.get("status"), "text": None if note else doc.get("text"),
                "author_id": (doc.get("author") or {}).get("id"),
                "mentions": (doc.get("mentions") or []) if note else []}
    if event.collection == "conversation_viewers":
        return {"type": "viewer", **viewer_payload(doc)}
    return {"type": "conversation", "op": event.operation, "id": doc["_id"], "status": doc.get("status"),
            "assignee_id": doc.get("assignee_id"), "department_id": doc.get("department_id")}


def _stamp() -> int:
    return int(utcnow().timestamp() * 1000)


def _since(request: web.Request) -> int | None:
    value = parse_int(request.headers.get("Last-Event-ID") or request.query.get("last") or "")
    if value is None or value < 0:
        return None
    # A stamp from the future (another clock, a forged header) is treated as "no resume point".
    return value if value <= _stamp() else None


def since_datetime(raw: str | None) -> datetime | None:
    """Parse a `since` stamp (ms) a page sends back when catching up; None for anything that is not one."""
    value = parse_int(raw or "")
    return stamp_to_datetime(value) if value is not None else None


@routes.get("/inbox/events")
async def agent_events(request: web.Request) -> web.StreamResponse:
    hub, user = request.app[keys.HUB], current_user(request)
    # What the predicate judges by; replaced (not mutated) when the user's rights change mid-stream.
    rights: dict[str, Doc] = {"user": user}

    def visible(event: Event) -> bool:
        return event.conversation is not None and conversations.can_see(rights["user"], event.conversation)

    since = _since(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    async with live_agent(hub, user):
        with hub.events.subscribe(visible) as subscription, contextlib.suppress(ConnectionResetError,
                                                                                ConnectionError):
            now = _stamp()
            ready = dumps({"at": now, "since": since, "user_id": user["_id"]})
            await response.write(f"retry: 2000\nid: {now}\nevent: ready\ndata: {ready}\n\n".encode())
            next_tick = next_check = loop.time()
            next_tick += HEARTBEAT_SECONDS
            next_check += RIGHTS_CHECK_SECONDS
            while True:
                if loop.time() >= next_check:
                    next_check = loop.time() + RIGHTS_CHECK_SECONDS
                    try:
                        current = await still_signed_in(request)
                    except PyMongoError:
                        # The database is away (it is supervised elsewhere); no events flow either.
                        log.warning("live stream could not re-check rights; trying again shortly")
                        continue
                    if current is None:
                        # Signed out, deactivated, password reset: the page reloads onto the sign-in form.
                        await response.write(b"event: reload\ndata: {\"reason\": \"signed-out\"}\n\n")
                        break
                    if _rights(current) != _rights(rights["user"]):
                        rights["user"] = current
                        await response.write(f"event: rights\ndata: {dumps(_rights(current))}\n\n".encode())
                if loop.time() >= next_tick:
                    next_tick = loop.time() + HEARTBEAT_SECONDS
                    # A named event, not a comment: it moves the browser's Last-Event-ID forward.
                    await response.write(f"id: {_stamp()}\nevent: tick\ndata: {{}}\n\n".encode())
                try:
                    event = await asyncio.wait_for(subscription.get(),
                                                   max(0.0, min(next_check, next_tick) - loop.time()))
                except TimeoutError:
                    continue
                if subscription.overflowed:
                    await response.write(b"event: reload\ndata: {}\n\n")
                    break
                if not visible(event):
                    continue  # queued before the rights narrowed
                data = event.shared.get("sse")
                if data is None:
                    data = event.shared["sse"] = dumps(event_payload(event))
                await response.write(f"id: {_stamp()}\nevent: {event.collection}\ndata: {data}\n\n".encode())
    return response


def _rights(user: Doc) -> dict[str, object]:
    return {"role": user.get("role"), "department_ids": sorted(str(d) for d in user.get("department_ids") or [])}
