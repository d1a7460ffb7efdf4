"""One `Bot` per hub process (and per CLI run), pointed at TELEGRAM_API_BASE."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Bot
from telegram.request import HTTPXRequest

from channels.telegram.settings import TelegramSettings


def make_bot(settings: TelegramSettings) -> tuple[Bot, HTTPXRequest]:
    """The bot and its HTTP client; the caller shuts the client down (the bot never calls getMe here)."""
    request = HTTPXRequest(connection_pool_size=16, read_timeout=20.0, media_write_timeout=60.0)
    bot = Bot(settings.bot_token.get_secret_value(), base_url=f"{settings.api_base}/bot",
              base_file_url=f"{settings.api_base}/file/bot", request=request, get_updates_request=request)
    return bot, request


@asynccontextmanager
async def open_bot(settings: TelegramSettings) -> AsyncIterator[Bot]:
    bot, request = make_bot(settings)
    try:
        yield bot
    finally:
        await request.shutdown()
