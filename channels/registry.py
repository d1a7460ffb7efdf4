"""Every channel the hub knows, in one list. The app factory registers their routes and starts
the configured ones; an unconfigured channel says so once at start-up and stays off."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from channels.base import Channel
from hub.runtime import Hub


class ChannelPlugin(Protocol):
    name: str

    def routes(self) -> web.RouteTableDef:
        """Webhook and page routes; always registered, answering 404 while the channel is off."""
        ...

    async def start(self, hub: Hub) -> dict[str, Channel]:
        """Adapters by channel name (several for Twilio: sms, whatsapp); empty when not configured."""
        ...

    async def stop(self) -> None: ...


def plugins() -> list[ChannelPlugin]:
    from channels.email.plugin import EmailPlugin
    from channels.telegram.plugin import TelegramPlugin
    from channels.twilio.plugin import TwilioPlugin
    from channels.webchat.plugin import WebchatPlugin

    return [WebchatPlugin(), TelegramPlugin(), TwilioPlugin(), EmailPlugin()]
