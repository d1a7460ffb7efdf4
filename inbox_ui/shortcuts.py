"""The keyboard's markup for pages that do not carry it: the shortcuts help ("?") and the command palette's
template (partials/shortcuts_help.html), fetched once by inbox_ui/static/keys.js when first needed."""

from __future__ import annotations

from aiohttp import web

from hub.access.auth import current_user
from hub.http.web import render

routes = web.RouteTableDef()


@routes.get("/inbox/shortcuts")
async def shortcuts(request: web.Request) -> web.Response:
    current_user(request)
    response = render(request, "partials/shortcuts_help.html", {})
    response.headers["Cache-Control"] = "private, no-cache"  # it names the user's views and language
    return response
