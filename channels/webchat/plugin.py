"""Website chat needs no provider account: it is always on."""

from __future__ import annotations

from aiohttp import web

from channels.base import Channel
from channels.webchat.channel import WebchatChannel
from channels.webchat.views import routes
from hub.runtime import Hub
from hub.store import verifications


class WebchatPlugin:
    name = "webchat"

    def routes(self) -> web.RouteTableDef:
        return routes

    async def start(self, hub: Hub) -> dict[str, Channel]:
        await verifications.ensure_indexes(hub.db)
        return {"webchat": WebchatChannel()}

    async def stop(self) -> None:
        return None
