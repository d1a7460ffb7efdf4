"""GET/PUT /api/v1/admin/webchat/look: the website chat's colour, side, title, greeting, pre-chat fields
and department, for admins (the widget reads its public part from /webchat/config)."""

from __future__ import annotations

from aiohttp import web

from channels.webchat.look import BadLook
from hub import keys
from hub.access.auth import require_role
from hub.actions import webchat_look as look_actions
from hub.errors import BadInput
from hub.http.web import json_response, read_body
from hub.store import webchat_look

routes = web.RouteTableDef()


@routes.get("/api/v1/admin/webchat/look")
async def get_look(request: web.Request) -> web.Response:
    require_role(request, "admin")
    return json_response((await webchat_look.look(request.app[keys.HUB].db)).as_doc())


@routes.put("/api/v1/admin/webchat/look")
async def put_look(request: web.Request) -> web.Response:
    """Only the settings given change, e.g. {"colour": "#aa3300", "fields": {"email": "required"}}."""
    require_role(request, "admin")
    try:
        chosen = await look_actions.save(request.app[keys.HUB], await read_body(request))
    except BadLook as exc:
        raise BadInput(str(exc), field=exc.setting) from None
    return json_response(chosen.as_doc())
