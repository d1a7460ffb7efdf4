"""JSON API of the notifications centre: my notifications (newest first, paged, with the unread count),
mark one or all read, and my alert settings. Each acts on the signed-in user's own notifications only."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from hub import keys
from hub.access.auth import current_user
from hub.actions import notifications as centre
from hub.http.request_models import Flag, OptionalId, RequestModel, WholeNumber, one_of, parse_body, parse_query
from hub.http.web import json_response
from hub.store.db import oid

routes = web.RouteTableDef()
DEFAULT_PAGE = 20
MAX_PAGE = 100


class ListQuery(RequestModel):
    before: OptionalId = None
    limit: Annotated[WholeNumber, Field(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE
    unread: Flag = False

    field_messages = {"before": "'before' must be the id of a notification (next_before from the page before)"}


class ReadAllBody(RequestModel):
    # The newest notification the person saw: one that arrived after it stays unread.
    up_to: OptionalId = None

    field_messages = {"up_to": "'up_to' must be the id of a notification"}


Kind = Annotated[str, one_of(list(centre.KINDS))]


class PreferencesBody(RequestModel):
    browser: Annotated[list[Kind], Field(max_length=len(centre.KINDS) * 2)] = []
    sound: Flag = False


@routes.get("/api/v1/notifications")
async def my_notifications(request: web.Request) -> web.Response:
    user, hub = current_user(request), request.app[keys.HUB]
    query = parse_query(request, ListQuery)
    found = await centre.page(hub, user, limit=query.limit, before=query.before, unread_only=query.unread)
    return json_response({"notifications": [centre.present(n) for n in found.notifications],
                          "unread_count": found.unread_count, "next_before": found.next_before})


@routes.post("/api/v1/notifications/read-all")
async def mark_all_read(request: web.Request) -> web.Response:
    user, hub = current_user(request), request.app[keys.HUB]
    body = await parse_body(request, ReadAllBody)
    marked = await centre.mark_all_read(hub, user, body.up_to)
    unread = await centre.unread_count(hub, user)
    return json_response({"marked": marked, "unread_count": unread})


@routes.post("/api/v1/notifications/{id}/read")
async def mark_read(request: web.Request) -> web.Response:
    user, hub = current_user(request), request.app[keys.HUB]
    found = await centre.mark_read(hub, user, oid(request.match_info["id"]))
    unread = await centre.unread_count(hub, user)
    return json_response({"notification": centre.present(found), "unread_count": unread})


@routes.get("/api/v1/notifications/preferences")
async def my_preferences(request: web.Request) -> web.Response:
    return json_response(await centre.preferences(request.app[keys.HUB], current_user(request)))


@routes.put("/api/v1/notifications/preferences")
async def save_my_preferences(request: web.Request) -> web.Response:
    body = await parse_body(request, PreferencesBody)
    return json_response(await centre.save_preferences(request.app[keys.HUB], current_user(request),
                                                       body.browser, body.sound))
