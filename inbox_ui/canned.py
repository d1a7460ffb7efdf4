"""My canned responses: an agent's personal ones, which only they see and insert with /shortcut."""

from __future__ import annotations

from aiohttp import web

from hub import keys
from hub.access.auth import current_user
from hub.actions import canned as canned_actions
from hub.http.web import render

routes = web.RouteTableDef()


@routes.get("/inbox/canned")
async def my_canned_page(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    return render(request, "canned_mine.html", {"canned": await canned_actions.mine(hub, user),
                                                "variables": canned_actions.VARIABLES})
