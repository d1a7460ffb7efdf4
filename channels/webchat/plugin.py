"""Website chat needs no provider account: it is always on."""

from __future__ import annotations

from aiohttp import web

from channels.base import WEBCHAT, Channel, ChannelHost, ChannelInfo, Command
from channels.webchat.channel import WebchatChannel
from channels.webchat.views import routes
from hub.channel_host import hub_of
from hub.store import verifications

INFO = ChannelInfo(name="webchat", label="Website chat", icon="💬", identity_kind=WEBCHAT,
                   connect="always on: add a site at /admin/webchat and paste its snippet into the website")


class WebchatPlugin:
    name = "webchat"
    info = (INFO,)

    def routes(self) -> web.RouteTableDef:
        return routes

    def commands(self) -> tuple[Command, ...]:
        return ()

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        await verifications.ensure_indexes(hub_of(host).db)
        return {"webchat": WebchatChannel()}

    async def stop(self) -> None:
        return None
