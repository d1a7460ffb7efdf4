"""GET /webchat/config: what the widget reads when it starts (colour, position, title, greeting, pre-chat
form, and whether the department is answering now). Public and cacheable: it holds no secret and nothing
about any visitor; the department is reduced to "online, replies within N seconds" or "offline"."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.webchat.look import WidgetLook
from hub import keys
from hub.clock import utcnow
from hub.http.web import json_response
from hub.runtime import Hub
from hub.store import webchat_look
from hub.webchat_hours import ChatHours, chat_hours

routes = web.RouteTableDef()
CONFIG_MAX_AGE = 60  # seconds a browser may keep it: an admin's change reaches new page loads within a minute


def widget_config(look: WidgetLook, hours: ChatHours) -> dict[str, Any]:
    """The widget's start-up settings; offline, the email is always asked for (we reply by mail)."""
    fields = dict(look.public()["fields"])
    if not hours.online:
        fields["email"] = "required"
    asks = look.prechat and any(state != "off" for state in fields.values())  # a form of no fields is no form
    return {"look": look.public(), "online": hours.online, "reply_within_seconds": hours.reply_within_seconds,
            "opens_at": hours.opens_at.isoformat() if hours.opens_at else None,
            "form": {"shown": asks or not hours.online, "fields": fields}}


async def current_config(hub: Hub) -> dict[str, Any]:
    look = await webchat_look.look(hub.db)
    return widget_config(look, await chat_hours(hub, look, utcnow()))


@routes.get("/webchat/config")
async def config(request: web.Request) -> web.Response:
    found = await current_config(request.app[keys.HUB])
    response = json_response(found)
    response.headers.update({"Cache-Control": f"public, max-age={CONFIG_MAX_AGE}",
                             "Access-Control-Allow-Origin": "*"})
    return response
