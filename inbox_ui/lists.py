"""Conversation lists: the views an agent works from."""

from __future__ import annotations

from aiohttp import web

from hub import keys
from hub.auth import current_user
from hub.store import conversations, users
from hub.web import render

routes = web.RouteTableDef()

VIEWS = {"mine": "Mine", "unassigned": "Unassigned", "departments": "My departments", "all": "All"}


async def _list_context(request: web.Request) -> dict[str, object]:
    hub, user = request.app[keys.HUB], current_user(request)
    view = request.query.get("view", "all")
    if view not in VIEWS:
        view = "all"
    status = request.query.get("status", "open")
    if status not in ("open", "pending", "snoozed", "resolved"):
        status = "open"
    page = await conversations.list_for(hub.db, user, view=view, status=status, limit=100)
    people = await users.user_map(hub.db, [c.get("assignee_id") for c in page])
    departments = {d["_id"]: d for d in await users.departments(hub.db)}
    return {"view": view, "views": VIEWS, "status": status, "conversations": page, "people": people,
            "departments": departments}


@routes.get("/inbox")
async def inbox(request: web.Request) -> web.Response:
    return render(request, "inbox.html", await _list_context(request))


@routes.get("/inbox/list")
async def inbox_list(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_list.html", await _list_context(request))
