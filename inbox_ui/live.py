"""The agent's live stream (Server-Sent Events), filtered to what that agent may see."""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from hub import keys
from hub.auth import current_user
from hub.events import Event
from hub.presence import live_agent
from hub.store import conversations
from hub.web import dumps

routes = web.RouteTableDef()
HEARTBEAT_SECONDS = 15.0


def event_payload(event: Event) -> dict[str, object]:
    doc = event.doc
    if event.collection == "messages":
        return {"type": "message", "op": event.operation, "id": doc["_id"],
                "conversation_id": doc.get("conversation_id"), "direction": doc.get("direction"),
                "status": doc.get("status"), "text": doc.get("text") if doc.get("direction") != "note" else None}
    return {"type": "conversation", "op": event.operation, "id": doc["_id"], "status": doc.get("status"),
            "assignee_id": doc.get("assignee_id"), "department_id": doc.get("department_id")}


@routes.get("/inbox/events")
async def agent_events(request: web.Request) -> web.StreamResponse:
    hub, user = request.app[keys.HUB], current_user(request)

    def visible(event: Event) -> bool:
        return event.conversation is not None and conversations.can_see(user, event.conversation)

    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    async with live_agent(hub, user):
        with hub.events.subscribe(visible) as subscription, contextlib.suppress(ConnectionResetError,
                                                                                ConnectionError):
            await response.write(b"retry: 2000\nevent: ready\ndata: {}\n\n")
            while True:
                try:
                    event = await asyncio.wait_for(subscription.get(), HEARTBEAT_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if subscription.overflowed:
                    await response.write(b"event: reload\ndata: {}\n\n")
                    break
                data = dumps(event_payload(event))
                await response.write(f"id: {event.token}\nevent: {event.collection}\ndata: {data}\n\n".encode())
    return response
