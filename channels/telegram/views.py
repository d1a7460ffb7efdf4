"""The webhook: verify Telegram's secret, parse the update, hand it to the intake."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from channels.base import ChannelHost, ChannelInputError
from channels.telegram import intake, shape
from channels.telegram.settings import TelegramSettings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/webhooks/telegram"


class Running:
    """What the webhook needs while the channel is on."""

    def __init__(self, settings: TelegramSettings, bot: Bot, host: ChannelHost) -> None:
        self.settings = settings
        self.bot = bot
        self.host = host


def _error(message: str, status: int) -> web.Response:
    return web.json_response({"error": message, "status": status}, status=status)


def _secret_problem(settings: TelegramSettings, given: str | None) -> str | None:
    secret = settings.webhook_secret.get_secret_value()
    if not secret:
        return "TELEGRAM_WEBHOOK_SECRET is not set on the hub, so no update can be trusted"
    if not given:
        return f"the {SECRET_HEADER} header is missing"
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return f"the {SECRET_HEADER} header does not match TELEGRAM_WEBHOOK_SECRET"
    return None


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def build_routes(running: Callable[[], Running | None]) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.post(PATH)
    async def webhook(request: web.Request) -> web.Response:
        state = running()
        if state is None:
            return _error("the Telegram channel is off: TELEGRAM_BOT_TOKEN is not set on the hub", 404)
        problem = _secret_problem(state.settings, request.headers.get(SECRET_HEADER))
        if problem:
            log.warning("telegram webhook refused: %s remote=%s", problem, request.remote)
            return _error(problem, 403)
        try:
            payload: Any = state.host.parse_json(await request.read())
        except ChannelInputError as exc:
            return _error(exc.message, exc.status)
        update_id = payload.get("update_id") if isinstance(payload, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return _error("not a Telegram update: it must be a JSON object with a numeric update_id", 400)
        malformed = shape.problem(payload)
        if malformed:
            return _error(f"not a Telegram update Telegram would send: {malformed}", 400)
        try:
            update = Update.de_json(payload, state.bot)
        except (TypeError, KeyError, ValueError, AttributeError, OverflowError, OSError) as exc:
            # Overflow and OSError: a date past what the platform's clock functions can hold.
            return _error(f"not a Telegram update Telegram would send: {type(exc).__name__} {exc}", 400)
        outcome = await intake.handle(state.host, state.bot, state.settings.bot_id, update, payload)
        return web.json_response(outcome.as_json(), dumps=_dumps)

    return routes
