"""Replies to Telegram through the Bot API: text split at the limit, files from the hub's store, errors typed."""

from __future__ import annotations

import logging
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from channels.base import (
    Attachment,
    ChannelError,
    ChannelHost,
    ChannelRateLimited,
    ChannelRejected,
    ChannelTimeout,
    Choice,
    OutboundMessage,
    SendResult,
)
from channels.telegram.split import split_text

log = logging.getLogger(__name__)

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram's sendPhoto limit; bigger images go as documents
_REMEMBERED_PROGRESS = 10_000


CHOICE_PREFIX = "choice:"  # callback_data of a choice button; channels/telegram/answers.py reads it back


@dataclass(frozen=True)
class _Step:
    text: str | None = None
    attachment: Attachment | None = None
    choices: tuple[Choice, ...] = ()


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup:
    """One row of buttons (a survey's 1..5); pressing one sends `choice:<value>` back as a callback query."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(c.label, callback_data=f"{CHOICE_PREFIX}{c.value}"[:64])
                                  for c in choices]])


def retry_after_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns on every read while it moves from int to timedelta; both are handled here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def translate(exc: TelegramError) -> ChannelError:
    """Telegram's error in words an agent can act on."""
    if isinstance(exc, Forbidden):
        if "deactivated" in exc.message.lower():
            return ChannelRejected("the customer's Telegram account was deleted")
        return ChannelRejected("the customer blocked the bot")
    if isinstance(exc, InvalidToken):
        return ChannelRejected("Telegram refused the bot token; check TELEGRAM_BOT_TOKEN")
    if isinstance(exc, BadRequest):
        return ChannelRejected(f"Telegram refused the message: {exc.message}")
    if isinstance(exc, TimedOut):
        return ChannelTimeout("Telegram did not answer in time")
    if isinstance(exc, NetworkError):
        return ChannelError(f"could not reach Telegram: {exc.message}")
    return ChannelError(f"Telegram error: {exc.message}")


class TelegramChannel:
    name = "telegram"

    def __init__(self, bot: Bot, host: ChannelHost, clock: Callable[[], float] = time.monotonic) -> None:
        self.bot = bot
        self.host = host
        self.clock = clock
        # Flood control is per chat: a chat told to wait waits, the others keep flowing.
        self._chat_free_at: dict[int, float] = {}
        # Parts of a split reply already delivered, so a retry does not send them twice.
        self._progress: OrderedDict[str, list[int]] = OrderedDict()

    def _check_chat_free(self, chat_id: int) -> None:
        free_at = self._chat_free_at.get(chat_id)
        if free_at is None:
            return
        wait = free_at - self.clock()
        if wait > 0:
            raise ChannelRateLimited(f"Telegram asked us to wait {wait:.0f}s before writing to this chat again",
                                     retry_after=wait)
        del self._chat_free_at[chat_id]

    async def send(self, message: OutboundMessage) -> SendResult:
        try:
            chat_id = int(message.to.value)
        except ValueError:
            raise ChannelRejected(f"{message.to.value!r} is not a Telegram chat id") from None
        self._check_chat_free(chat_id)
        steps = [_Step(text=piece) for piece in split_text(message.text)]
        if message.choices and steps:  # the buttons go under the last piece of text
            steps[-1] = _Step(text=steps[-1].text, choices=message.choices)
        steps += [_Step(attachment=a) for a in message.attachments if a.file_id and not a.refused_reason]
        sent = self._progress.pop(message.message_id, [])
        for step in steps[len(sent):]:
            try:
                delivered = await self._send_step(chat_id, step)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self._chat_free_at[chat_id] = self.clock() + wait
                self._remember(message.message_id, sent)
                raise ChannelRateLimited(f"Telegram flood control: wait {wait:.0f}s before writing to this chat",
                                         retry_after=wait) from exc
            except TelegramError as exc:
                error = translate(exc)
                if error.transient:
                    self._remember(message.message_id, sent)
                raise error from exc
            sent.append(delivered.message_id)
        return SendResult(provider_id=f"{chat_id}:{','.join(map(str, sent))}" if sent else None)

    def _remember(self, message_id: str, sent: list[int]) -> None:
        if not sent:
            return
        self._progress[message_id] = sent
        while len(self._progress) > _REMEMBERED_PROGRESS:
            self._progress.popitem(last=False)

    async def _send_step(self, chat_id: int, step: _Step) -> TelegramMessage:
        if step.text is not None and step.choices:
            return await self.bot.send_message(chat_id=chat_id, text=step.text, reply_markup=keyboard(step.choices))
        if step.text is not None:
            return await self.bot.send_message(chat_id=chat_id, text=step.text)
        attachment = step.attachment
        assert attachment is not None and attachment.file_id is not None
        stored = await self.host.read_file(attachment.file_id)
        if stored is None:
            raise ChannelRejected(f"the attachment {attachment.filename} is no longer stored")
        data = stored.data
        upload = InputFile(data, filename=attachment.filename or stored.filename)
        if attachment.content_type in PHOTO_TYPES and len(data) <= PHOTO_MAX_BYTES:
            return await self.bot.send_photo(chat_id=chat_id, photo=upload)
        return await self.bot.send_document(chat_id=chat_id, document=upload)
