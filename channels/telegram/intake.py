"""A verified, parsed Telegram update into the hub: files fetched, phone joined, message ingested."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message, Update
from telegram.error import BadRequest, TelegramError

from channels.base import PHONE, TELEGRAM, Attachment, ChannelHost, Identity, InboundMessage
from channels.telegram import answers
from channels.telegram.content import Content, Media, read, sender_name

log = logging.getLogger(__name__)

CHANNEL = "telegram"


@dataclass(frozen=True)
class Outcome:
    """What became of an update; the webhook answers it (Telegram only looks at the status)."""

    result: str  # stored, duplicate, edited, ignored
    detail: str
    message_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"ok": True, "result": self.result, "detail": self.detail, "message_id": self.message_id}


def _too_large(media: Media, size: int, limit: int) -> Attachment:
    return Attachment(media.filename, media.content_type, size,
                      refused_reason=f"the attachment was too large to keep ({size:,} bytes; "
                                     f"the limit is {limit:,} bytes)")


async def fetch(host: ChannelHost, bot: Bot, media: Media) -> Attachment:
    """The file stored by the hub, or a refusal saying why; a customer's file is never silently dropped."""
    limit = host.limits.max_attachment_bytes
    if media.size is not None and media.size > limit:
        return _too_large(media, media.size, limit)
    try:
        file = await bot.get_file(media.file_id)
        if file.file_size is not None and file.file_size > limit:
            return _too_large(media, file.file_size, limit)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        log.warning("telegram getFile refused file_id=%s reason=%s", media.file_id, exc.message)
        if "too big" in exc.message.lower():
            return Attachment(media.filename, media.content_type, media.size or 0,
                              refused_reason="the attachment was too large for Telegram to hand over "
                                             "(bots may fetch files up to 20 MB)")
        return Attachment(media.filename, media.content_type, media.size or 0,
                          refused_reason=f"Telegram would not hand over the attachment: {exc.message}")
    except TelegramError as exc:
        log.warning("telegram file fetch failed file_id=%s reason=%s", media.file_id, exc.message)
        return Attachment(media.filename, media.content_type, media.size or 0,
                          refused_reason=f"the attachment could not be fetched from Telegram: {exc.message}")
    if len(data) > limit:
        return _too_large(media, len(data), limit)
    file_id = await host.store_file(data, media.filename, media.content_type,
                                    {"channel": CHANNEL, "telegram_file_id": media.file_id})
    return Attachment(media.filename, media.content_type, len(data), file_id=file_id)


def _ignored(update: Update, why: str) -> Outcome:
    log.info("telegram update ignored update_id=%s reason=%s", update.update_id, why)
    return Outcome("ignored", why)


def _kind(payload: dict[str, Any]) -> str | None:
    return next((key for key in payload if key != "update_id"), None)


async def handle(host: ChannelHost, bot: Bot, bot_id: str, update: Update, payload: dict[str, Any]) -> Outcome:
    query = update.callback_query
    if query is not None and answers.chosen(query) is not None and not query.from_user.is_bot:
        await answers.acknowledge(bot, query)
        message_id, created = await answers.ingest_choice(host, bot_id, query, answers.chosen(query) or "",
                                                          update.update_id, payload)
        return Outcome("stored" if created else "duplicate", "a button was pressed", message_id)
    message: Message | None = update.message or update.edited_message
    if message is None:
        kind = _kind(payload)
        return _ignored(update, f"updates of type {kind} are not handled" if kind
                        else "the update carries no message")
    chat = message.chat
    if chat.type != chat.PRIVATE:
        return _ignored(update, f"only private chats are handled; this came from a {chat.type} chat "
                                f"(chat id {chat.id})")
    sender = message.from_user
    if sender is None or sender.is_bot:
        return _ignored(update, "the message has no human sender")
    content = read(message)
    if content is None:
        return _ignored(update, "a service message with nothing for an agent to read")
    external_id = f"{bot_id}:{chat.id}:{message.message_id}"
    existing = await host.message_by_external_id(CHANNEL, external_id)
    if update.edited_message is not None and existing is not None:
        await host.keep_raw(CHANNEL, payload)
        await host.record_edit(existing, content.text, message.edit_date or host.now())
        return Outcome("edited", "the stored message now shows the edited text", existing)
    return await _store(host, bot, update, message, content, external_id, payload, fresh=existing is None)


async def _store(host: ChannelHost, bot: Bot, update: Update, message: Message, content: Content, external_id: str,
                 payload: dict[str, Any], *, fresh: bool) -> Outcome:
    sender = message.from_user
    assert sender is not None
    identity = Identity(TELEGRAM, str(sender.id))
    name = sender_name(sender)
    attachments: tuple[Attachment, ...] = ()
    if fresh:  # a redelivery is answered from what we have; no second download, no second join
        if content.own_phone:
            # The customer shared their own number: the contact that already has it (SMS, WhatsApp) is theirs.
            await host.join_identity(identity, name, Identity(PHONE, content.own_phone))
        attachments = tuple([await fetch(host, bot, media) for media in content.media])
    extras: dict[str, Any] = {"update_id": update.update_id, "chat_id": message.chat.id,
                              "message_id": message.message_id, "username": sender.username,
                              "language_code": sender.language_code, **content.extras}
    if update.edited_message is not None:
        extras["edited_before_seen"] = True
    if content.start_payload:
        extras["start_payload"] = content.start_payload
    result = await host.ingest(InboundMessage(
        channel=CHANNEL, identity=identity, text=content.text, received_at=message.date, external_id=external_id,
        contact_name=name, attachments=attachments, raw=payload, extras=extras,
    ))
    if not result.created:
        return Outcome("duplicate", "this message was already stored", result.message_id)
    if content.start_payload:
        await host.record_source(result.contact_id, CHANNEL, content.start_payload, result.message_id,
                                 result.created_at)
    return Outcome("stored", "stored", result.message_id)
