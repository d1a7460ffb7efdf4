"""Website chat needs no provider account: it is always on. The plugin serves the widget and holds the reply
adapter; the visitor's socket is the hub's own (hub/webchat_visitor.py), as nothing leaves the hub."""

from __future__ import annotations

from typing import ClassVar

from aiohttp import web
from pydantic_settings import BaseSettings

from channels.base import Channel, ChannelHost, Command
from channels.webchat.channel import WebchatChannel
from channels.webchat.info import INFO
from channels.webchat.widget import routes


class WebchatPlugin:
    name = "webchat"
    info = INFO
    settings_class: ClassVar[type[BaseSettings] | None] = None  # its limits are the hub's (HUB_VISITOR_*)

    def routes(self) -> web.RouteTableDef:
        return routes

    def commands(self) -> tuple[Command, ...]:
        return ()

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        return {"webchat": WebchatChannel()}

    async def stop(self) -> None:
        return None
