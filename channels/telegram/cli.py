"""`hub telegram set-webhook` and `hub telegram status`: the two things done in Telegram's console."""

from __future__ import annotations

import sys

from telegram.error import TelegramError

from channels.base import CommandContext
from channels.telegram.bot import open_bot
from channels.telegram.settings import TelegramSettings
from channels.telegram.views import PATH

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]  # callback_query: survey buttons
ACTIONS = ("set-webhook", "status")


def webhook_url(context: CommandContext) -> str:
    return f"{context.public_url}{PATH}"


async def set_webhook(context: CommandContext, telegram: TelegramSettings) -> int:
    secret = telegram.webhook_secret.get_secret_value()
    if not secret:
        print("error: set TELEGRAM_WEBHOOK_SECRET first; the hub refuses updates without it", file=sys.stderr)
        return 2
    url = webhook_url(context)
    if not url.startswith("https://"):
        print(f"warning: Telegram only delivers to https URLs; {url} will be refused unless a local "
              "Bot API server is used (set HUB_PUBLIC_URL)", file=sys.stderr)
    async with open_bot(telegram) as bot:
        await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    print(f"webhook set: {url}")
    return 0


async def status(context: CommandContext, telegram: TelegramSettings) -> int:
    async with open_bot(telegram) as bot:
        info = await bot.get_webhook_info()
    expected = webhook_url(context)
    lines = [f"webhook url:      {info.url or '(none: Telegram holds updates for getUpdates)'}",
             f"points at us:     {'yes' if info.url == expected else f'no (this hub is {expected})'}",
             f"pending updates:  {info.pending_update_count}"]
    if info.last_error_date is not None:
        lines.append(f"last error:       {info.last_error_date.isoformat()} {info.last_error_message or ''}".rstrip())
    else:
        lines.append("last error:       none")
    if info.last_synchronization_error_date is not None:
        lines.append(f"last sync error:  {info.last_synchronization_error_date.isoformat()}")
    if info.allowed_updates:
        lines.append(f"allowed updates:  {', '.join(info.allowed_updates)}")
    # A webhook URL or an error message can carry the token (some set-ups put it in the path).
    print(context.redact("\n".join(lines)))
    return 0


async def run(action: str, context: CommandContext, telegram: TelegramSettings) -> int:
    context.hide_secrets_of(telegram)
    if not telegram.enabled:
        print("error: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 2
    try:
        if action == "set-webhook":
            return await set_webhook(context, telegram)
        return await status(context, telegram)
    except TelegramError as exc:
        print(f"error: Telegram answered: {context.redact(exc.message)}", file=sys.stderr)
        return 1
