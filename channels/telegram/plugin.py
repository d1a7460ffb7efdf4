"""Telegram is on when TELEGRAM_BOT_TOKEN is set; otherwise it says so once and its webhook answers 404."""

from __future__ import annotations

import logging
from typing import ClassVar

from aiohttp import web
from pydantic_settings import BaseSettings
from telegram.request import HTTPXRequest

from channels.base import Channel, ChannelHost, Command, CommandContext
from channels.telegram import cli
from channels.telegram.bot import make_bot
from channels.telegram.channel import TelegramChannel
from channels.telegram.info import INFO
from channels.telegram.settings import TelegramSettings
from channels.telegram.views import Running, build_routes

log = logging.getLogger(__name__)


class TelegramPlugin:
    name = "telegram"
    info = INFO
    settings_class: ClassVar[type[BaseSettings] | None] = TelegramSettings

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.running: Running | None = None
        self._request: HTTPXRequest | None = None

    def routes(self) -> web.RouteTableDef:
        return build_routes(lambda: self.running)

    def commands(self) -> tuple[Command, ...]:
        return (Command("telegram", "the Telegram webhook, as Telegram sees it", cli.ACTIONS, self._command),)

    async def _command(self, action: str, context: CommandContext) -> int:
        return await cli.run(action, context, self.settings)

    async def start(self, host: ChannelHost) -> dict[str, Channel]:
        settings = self.settings
        if not settings.enabled:
            log.info("telegram channel off: TELEGRAM_BOT_TOKEN is not set")
            return {}
        if not settings.webhook_secret.get_secret_value():
            log.warning("telegram webhook refuses every update until TELEGRAM_WEBHOOK_SECRET is set")
        bot, self._request = make_bot(settings)
        self.running = Running(settings, bot, host)
        log.info("telegram channel on bot_id=%s api=%s", settings.bot_id, settings.api_base)
        return {"telegram": TelegramChannel(bot, host)}

    async def stop(self) -> None:
        self.running = None
        if self._request is not None:
            await self._request.shutdown()
            self._request = None
