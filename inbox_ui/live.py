"""The agent's live stream (Server-Sent Events), filtered to what that agent may see now.

The stream follows the user's current rights (hub/access/live_rights.py re-reads the users, sessions
and tokens of all of this process's streams together every RIGHTS_CHECK_SECONDS). Signed out,
deactivated or reset: the stream says `reload` and ends. A changed role or department list narrows
(or widens) the filter at once and is announced as a `rights` event.

Every event's SSE id is the hub's clock in milliseconds when it was written out. A browser that
reconnects sends it back (Last-Event-ID, or ?last= when the page opens a new EventSource itself);
the `ready` event echoes it as `since`, and the page re-fetches what changed after that moment and
upserts it by element id, so a dropped connection loses nothing and duplicates nothing.

A user's own notifications (the bell, hub/live/notify.py) ride on the same stream as `notifications`
events, to that user only. A page with no live region of its own opens the stream with
`?only=notifications`, so its bell is live without the conversation traffic.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from functools import partial

from aiohttp import web

from hub import keys
from hub import names as model
from hub.access.auth import bearer_token_hash, current_user
from hub.access.live_rights import WatchedStream, rights_of, rights_watch
from hub.actions.presence import viewer_payload
from hub.assign.presence import live_agent
from hub.clock import utcnow
from hub.http.params import parse_int, stamp_to_datetime
from hub.http.web import dumps
from hub.live.events import Event, Subscription
from hub.store import conversations
from hub.store.db import Doc

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
HEARTBEAT_SECONDS = 15.0
TICK_SLACK = 0.01


def event_payload(event: Event) -> dict[str, object]:
    doc = event.doc
    if event.collection == model.NOTIFICATIONS:
        return {"type": "notification", "op": event.operation, "id": doc["_id"], "kind": doc.get("kind"),
                "conversation_id": doc.get("conversation_id"), "read": doc.get("read_at") is not None}
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
    session = request.get(keys.SESSION)
    watch = rights_watch(hub).watch(user, session_id=session["_id"] if session else None,
                                    token_hash=bearer_token_hash(request))
    since = _since(request)
    only_notifications = request.query.get("only") == "notifications"
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    async with live_agent(hub, user):
        with watch as watched, hub.events.subscribe(partial(_visible, watched, only_notifications)) as subscription, \
                contextlib.suppress(ConnectionResetError, ConnectionError):
            await _stream(response, user, since, subscription, watched, only_notifications)
    return response


def _visible(watched: WatchedStream, only_notifications: bool, event: Event) -> bool:
    # Judged by the user as last read: the rights check replaces it (None once signed out).
    current = watched.user
    if current is None:
        return False
    if event.collection == model.NOTIFICATIONS:
        return bool(event.doc.get("user_id") == current["_id"])
    return not only_notifications and event.conversation is not None and \
        conversations.can_see(current, event.conversation)


async def _stream(response: web.StreamResponse, user: Doc, since: int | None, subscription: Subscription,
                  watched: WatchedStream, only_notifications: bool) -> None:
    loop = asyncio.get_running_loop()
    now = _stamp()
    ready = dumps({"at": now, "since": since, "user_id": user["_id"]})
    await response.write(f"retry: 2000\nid: {now}\nevent: ready\ndata: {ready}\n\n".encode())
    announced = rights_of(user)
    next_tick = loop.time() + HEARTBEAT_SECONDS
    # One waiting future per stream, resolved by a new event, a rights change or the tick's timer: a
    # quiet stream creates no task per turn, and a burst of events is written in one go. The tick's
    # timer is set once per tick, not once per wait: with 1,000 streams, a timer per wake-up made the
    # event loop's timer heap the largest cost of a fan-out.
    watched.on_change = subscription.wake
    timer = loop.call_at(next_tick, subscription.wake)
    try:
        while True:
            if watched.changed.is_set():
                watched.changed.clear()
                current = watched.user
                if current is None:
                    # Signed out, deactivated, password reset: the page reloads onto the sign-in form.
                    await response.write(b"event: reload\ndata: {\"reason\": \"signed-out\"}\n\n")
                    return
                if rights_of(current) != announced:
                    announced = rights_of(current)
                    await response.write(f"event: rights\ndata: {dumps(announced)}\n\n".encode())
            # (A timer may fire a clock tick early; the slack keeps that from skipping the heartbeat.)
            if loop.time() + TICK_SLACK >= next_tick:
                next_tick = loop.time() + HEARTBEAT_SECONDS
                timer.cancel()  # fired already, unless an event came first
                timer = loop.call_at(next_tick, subscription.wake)
                # A named event, not a comment: it moves the browser's Last-Event-ID forward.
                await response.write(f"id: {_stamp()}\nevent: tick\ndata: {{}}\n\n".encode())
            events = subscription.drain()
            if subscription.overflowed:
                await response.write(b"event: reload\ndata: {}\n\n")
                return
            if not events:
                await subscription.wait()
                continue
            stamp = f"id: {_stamp()}\n".encode()
            frames = [stamp + _frame(event) for event in events
                      if _visible(watched, only_notifications, event)]  # not those queued before the rights narrowed
            if frames:
                await response.write(b"".join(frames))
    finally:
        timer.cancel()


def _frame(event: Event) -> bytes:
    """The event's SSE fields after its id, rendered once for every stream that shows it."""
    frame = event.shared.get("sse")
    if frame is None:
        frame = event.shared["sse"] = f"event: {event.collection}\ndata: {dumps(event_payload(event))}\n\n".encode()
    assert isinstance(frame, bytes)
    return frame
