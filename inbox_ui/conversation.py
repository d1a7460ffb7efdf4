"""One conversation: its timeline, header, single messages for live updates, and attachments."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from aiohttp import web

from hub import keys
from hub.api import visible_conversation
from hub.auth import current_user
from hub.store import contacts, conversations, files, messages, users
from hub.store.db import Doc, oid
from hub.web import render

routes = web.RouteTableDef()


async def _conversation_context(request: web.Request) -> dict[str, object]:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    contact = await contacts.get(hub.db, conversation["contact_id"])
    timeline = await messages.timeline(hub.db, conversation["_id"])
    people = await users.user_map(hub.db, [conversation.get("assignee_id")])
    departments = {d["_id"]: d for d in await users.departments(hub.db)}
    earlier = [c for c in await conversations.for_contact(hub.db, conversation["contact_id"])
               if c["_id"] != conversation["_id"]]
    return {"conversation": conversation, "contact": contact or {}, "timeline": timeline, "people": people,
            "departments": departments, "earlier": earlier}


@routes.get("/inbox/c/{id}")
async def conversation_page(request: web.Request) -> web.Response:


    context = await _conversation_context(request)
    return render(request, "conversation.html", {**context, "client_key": secrets.token_urlsafe(12)})


@routes.get("/inbox/c/{id}/header")
async def conversation_header(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_header.html", await _conversation_context(request))


@routes.get("/inbox/m/{id}")
async def message_partial(request: web.Request) -> web.Response:
    """One message rendered for the timeline (live updates fetch it)."""
    hub, user = request.app[keys.HUB], current_user(request)
    message_id = oid(request.match_info["id"])
    message: Doc | None = await messages.get(hub.db, message_id) if message_id else None
    if message is None:
        raise web.HTTPNotFound(text="message not found")
    await visible_conversation(hub, user, str(message["conversation_id"]))
    return render(request, "partials/message.html", {"m": message})


INLINE_SAFE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


@routes.get("/inbox/files/{message_id}/{index:\\d+}")
async def attachment(request: web.Request) -> web.Response:
    """An attachment, only for agents who may see its conversation; never rendered as a page."""
    hub, user = request.app[keys.HUB], current_user(request)
    message_id = oid(request.match_info["message_id"])
    message = await messages.get(hub.db, message_id) if message_id else None
    if message is None:
        raise web.HTTPNotFound(text="attachment not found")
    await visible_conversation(hub, user, str(message["conversation_id"]))
    items = message.get("attachments") or []
    index = int(request.match_info["index"])
    file_id = oid(items[index].get("file_id")) if index < len(items) else None
    stored = await files.get(hub.db, file_id) if file_id else None
    if stored is None:
        raise web.HTTPNotFound(text="attachment not found")
    data, meta = stored
    content_type = str(meta["content_type"])
    disposition = "inline" if content_type in INLINE_SAFE else "attachment"
    filename = quote(str(meta["filename"] or "attachment"))
    return web.Response(body=data, headers={
        "Content-Type": content_type,
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{filename}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=3600",
    })
