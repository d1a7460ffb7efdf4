"""Replies leave through the outbox to the Bot API; Telegram's refusals become reasons agents can read."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from channels.base import (
    TELEGRAM,
    Attachment,
    ChannelError,
    ChannelRateLimited,
    ChannelRejected,
    Identity,
    OutboundMessage,
)
from channels.telegram.bot import open_bot
from channels.telegram.channel import TelegramChannel
from hub.outbound import replies as outbox
from hub.ports.channel_host import HubChannelHost
from hub.runtime import Hub
from hub.store import conversations, files, messages
from hub.store.documents import Conversation, Message
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import CUSTOMER_ID, payload, post_update, telegram_settings
from tests.support.agents import make_user
from tests.support.polling import poll_until


async def customer_writes(http: aiohttp.ClientSession, base_url: str, hub: Hub,
                          user_id: int = CUSTOMER_ID) -> Conversation:
    """A message from Telegram user `user_id`; returns its conversation."""
    update = payload("text_in_persian_with_emoji_and_zero_width")
    update["update_id"] += user_id
    update["message"]["from"]["id"] = update["message"]["chat"]["id"] = user_id
    status, body = await post_update(http, base_url, update)
    assert status == 200, body
    message = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    assert conversation is not None
    return conversation


async def settled(hub: Hub, message_id: ObjectId, check: Any = None) -> Message:
    """The reply once the dispatcher is done with it (or once `check` holds)."""
    async def done() -> Message | None:
        doc = await messages.get(hub.db, message_id)
        assert doc is not None
        return doc if (check(doc) if check else doc["status"] != "queued") else None

    return await poll_until(done, f"reply {message_id} settled", timeout=10)


async def test_long_reply_is_split_into_several_messages_within_telegrams_limit(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    words = [f"پاسخ{i}" for i in range(1800)]
    reply, _ = await outbox.post(hub, agent, conversation, " ".join(words))
    done = await settled(hub, reply["_id"])
    assert done["status"] == "sent"
    sent = telegram_api.sent("sendMessage")
    assert len(sent) >= 4  # about 17,000 characters
    assert all(c.chat_id == str(CUSTOMER_ID) and len(c.params["text"]) <= 4096 for c in sent)
    assert " ".join(c.params["text"] for c in sent).split() == words


async def test_a_server_error_is_retried_and_the_reply_then_goes_out(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    telegram_api.fail("sendMessage", 500, "Internal Server Error")
    reply, _ = await outbox.post(hub, agent, conversation, "Your parcel left the warehouse.")
    done = await settled(hub, reply["_id"])
    assert (done["status"], done["attempts"]) == ("sent", 2)
    assert [c.params["text"] for c in telegram_api.sent("sendMessage")] == ["Your parcel left the warehouse."] * 2


async def test_a_bad_request_fails_the_reply_with_telegrams_words(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    telegram_api.fail("sendMessage", 400, "Bad Request: chat not found")
    reply, _ = await outbox.post(hub, agent, conversation, "hello?")
    done = await settled(hub, reply["_id"])
    assert (done["status"], done["error"]) == ("failed", "Telegram refused the message: Chat not found")


async def test_flood_control_holds_back_that_chat_only_while_other_chats_keep_flowing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    slow_chat = await customer_writes(http, base_url, hub, 5550001)
    other_chat = await customer_writes(http, base_url, hub, 5550002)
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 600", retry_after=600, chat_id=5550001)
    first, _ = await outbox.post(hub, agent, slow_chat, "one")
    held = await settled(hub, first["_id"], lambda d: d.get("last_error"))
    assert "Telegram flood control: wait 600s" in held["last_error"]
    assert held["status"] == "queued"
    second, _ = await outbox.post(hub, agent, slow_chat, "two")
    other, _ = await outbox.post(hub, agent, other_chat, "three")
    assert (await settled(hub, other["_id"]))["status"] == "sent"
    waiting = await settled(hub, second["_id"], lambda d: d.get("last_error"))
    assert waiting["status"] == "queued" and "wait" in waiting["last_error"]
    to_slow_chat = [c for c in telegram_api.sent("sendMessage") if c.chat_id == "5550001"]
    assert [c.params["text"] for c in to_slow_chat] == ["one"]  # "two" never reached Telegram


def outbound(text: str, chat_id: int = CUSTOMER_ID, attachments: tuple[Attachment, ...] = (),
             message_id: str = "m1") -> OutboundMessage:
    return OutboundMessage(message_id=message_id, conversation_id="c", contact_id="k", channel="telegram",
                           to=Identity(TELEGRAM, str(chat_id)), text=text, attachments=attachments)


async def test_after_the_wait_the_chat_is_written_to_again(hub: Hub, telegram_api: FakeTelegramApi) -> None:
    now = [1000.0]
    telegram_api.fail("sendMessage", 429, "Too Many Requests: retry after 30", retry_after=30)
    async with open_bot(telegram_settings(telegram_api)) as bot:
        channel = TelegramChannel(bot, HubChannelHost(hub), clock=lambda: now[0])
        try:
            await channel.send(outbound("first"))
        except ChannelRateLimited as exc:
            assert exc.retry_after == 30
        else:
            raise AssertionError("the 429 was not reported")
        now[0] += 29
        try:
            await channel.send(outbound("early"))
        except ChannelRateLimited as exc:
            assert 0 < exc.retry_after <= 1
        else:
            raise AssertionError("sent before the wait was over")
        now[0] += 2
        result = await channel.send(outbound("late"))
    assert result.provider_id is not None
    assert [c.params["text"] for c in telegram_api.sent("sendMessage")] == ["first", "late"]


async def test_a_retried_split_reply_does_not_send_delivered_parts_twice(
    hub: Hub, telegram_api: FakeTelegramApi
) -> None:
    text = ("a " * 1500) + "\n\n" + ("b " * 1500) + "\n\n" + ("c " * 1500)  # three 3,000-character parts
    telegram_api.fail("sendMessage", 502, "Bad Gateway", after=1)
    async with open_bot(telegram_settings(telegram_api)) as bot:
        channel = TelegramChannel(bot, HubChannelHost(hub))
        with pytest.raises(ChannelError) as raised:
            await channel.send(outbound(text, message_id="split-1"))
        assert raised.value.transient
        result = await channel.send(outbound(text, message_id="split-1"))
    assert [c.params["text"][0] for c in telegram_api.sent("sendMessage")] == ["a", "b", "b", "c"]
    assert result.provider_id is not None and len(result.provider_id.split(":")[1].split(",")) == 3


async def test_attachments_go_out_with_send_photo_and_send_document(
    hub: Hub, telegram_api: FakeTelegramApi
) -> None:
    picture, pdf = b"\x89PNG\r\n" + b"p" * 100, b"%PDF-1.7" + b"d" * 100
    photo_id = await files.put(hub.db, picture, "parcel.png", "image/png")
    pdf_id = await files.put(hub.db, pdf, "فاکتور.pdf", "application/pdf")
    attachments = (Attachment("parcel.png", "image/png", len(picture), file_id=str(photo_id)),
                   Attachment("فاکتور.pdf", "application/pdf", len(pdf), file_id=str(pdf_id)),
                   Attachment("huge.mov", "video/quicktime", 10**9, refused_reason="too large"))
    async with open_bot(telegram_settings(telegram_api)) as bot:
        await TelegramChannel(bot, HubChannelHost(hub)).send(outbound("Here are both.", attachments=attachments))
    [photo] = telegram_api.sent("sendPhoto")
    [document] = telegram_api.sent("sendDocument")
    assert photo.chat_id == document.chat_id == str(CUSTOMER_ID)
    assert photo.files["photo"][1] == picture
    assert document.files["document"] == ("فاکتور.pdf", pdf)
    assert [c.params["text"] for c in telegram_api.sent("sendMessage")] == ["Here are both."]


async def test_a_blocked_bot_is_a_rejection_saying_the_customer_blocked_it(
    hub: Hub, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    async with open_bot(telegram_settings(telegram_api)) as bot:
        with pytest.raises(ChannelRejected) as raised:
            await TelegramChannel(bot, HubChannelHost(hub)).send(outbound("hello"))
    assert raised.value.reason == "the customer blocked the bot"
