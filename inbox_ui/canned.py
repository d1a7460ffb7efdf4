"""My canned responses: an agent's personal ones, which only they see and insert with /shortcut."""

from __future__ import annotations

from aiohttp import web

from hub import keys
from hub.access.auth import current_user
from hub.actions import canned as canned_actions
from hub.http.web import render
from inbox_ui import view_models

routes = web.RouteTableDef()


@routes.get("/inbox/canned")
async def my_canned_page(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    mine = view_models.canned_responses(await canned_actions.mine(hub, user))
    return render(request, "canned_mine.html", {"canned": mine, "new_canned": view_models.CannedResponse(),
                                                "variables": canned_actions.VARIABLES})
