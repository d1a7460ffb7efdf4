"""A press on one of our choice buttons (a survey's 1..5) comes back as a callback query: it is
acknowledged to Telegram (the button stops spinning) and reaches the hub as the chosen value, as if typed."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, CallbackQuery
from telegram.error import TelegramError

from channels.base import TELEGRAM, ChannelHost, Identity, InboundMessage
from channels.telegram.channel import CHOICE_PREFIX
from channels.telegram.content import sender_name

log = logging.getLogger(__name__)


def chosen(query: CallbackQuery) -> str | None:
    data = query.data or ""
    return data[len(CHOICE_PREFIX):] if data.startswith(CHOICE_PREFIX) else None


async def acknowledge(bot: Bot, query: CallbackQuery) -> None:
    """answerCallbackQuery; a failure only leaves the button spinning a while, so it is logged, not raised."""
    try:
        await bot.answer_callback_query(query.id)
    except TelegramError as exc:
        log.warning("telegram answerCallbackQuery failed id=%s reason=%s", query.id, exc.message)


async def ingest_choice(host: ChannelHost, bot_id: str, query: CallbackQuery, value: str, update_id: int,
                        payload: dict[str, Any]) -> tuple[str, bool]:
    """(message id, created) of the customer's choice, stored once per press (the query id is its id)."""
    sender = query.from_user
    message = query.message
    received = host.now()  # a press carries no time of its own; its message's date is when we asked
    result = await host.ingest(InboundMessage(
        channel=TELEGRAM, identity=Identity(TELEGRAM, str(sender.id)), text=value, received_at=received,
        external_id=f"{bot_id}:callback:{query.id}", contact_name=sender_name(sender), raw=payload,
        extras={"update_id": update_id, "choice": value, "callback_query_id": query.id,
                "answers_message_id": message.message_id if message is not None else None,
                "username": sender.username, "language_code": sender.language_code},
    ))
    return result.message_id, result.created
