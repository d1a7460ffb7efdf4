"""The Telegram webhook answers hostile bodies with a 400 (or keeps the text with U+FFFD), and the bot
token never reaches a log line, even with httpx logging every request at DEBUG."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import aiohttp
import pytest
from bson import ObjectId

from hub import names as model
from hub.outbound import replies as outbox
from hub.runtime import Hub
from hub.store import conversations, messages
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import SECRET, TOKEN, payload, post_update
from tests.integration.telegram.test_outbound import settled
from tests.support.agents import make_user


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000,
                                  '{"update_id": 1, "message": ' + "{\"a\":" * 50_000 + "1" + "}" * 50_001])
async def test_a_deeply_nested_update_is_a_400_and_the_webhook_keeps_working(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, body: str
) -> None:
    status, answer = await post_update(http, base_url, body)
    assert status == 400
    assert "nested too deeply" in answer["error"]
    status, answer = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert (status, answer["result"]) == (200, "stored")


async def test_a_huge_update_id_is_a_400_not_a_500(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    update = json.dumps(payload("text_in_persian_with_emoji_and_zero_width")).replace(
        "730000101", "99999999999999999999999", 1)
    status, answer = await post_update(http, base_url, update)
    assert status == 400
    assert "too large" in answer["error"]
    assert await hub.db[model.MESSAGES].count_documents({}) == 0


async def test_lone_surrogates_in_text_and_name_are_stored_as_replacement_characters(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    update = payload("text_in_persian_with_emoji_and_zero_width")
    update["message"]["text"] = "سلام SURROGATE_A و SURROGATE_B"
    update["message"]["from"]["first_name"] = "Mina SURROGATE_A"
    body = json.dumps(update, ensure_ascii=True).replace("SURROGATE_A", "\\ud800").replace("SURROGATE_B", "\\udfff")
    status, answer = await post_update(http, base_url, body)
    assert (status, answer["result"]) == (200, "stored"), answer
    message = await messages.get(hub.db, ObjectId(answer["message_id"]))
    assert message is not None
    assert message["text"] == "سلام \ufffd و \ufffd"
    contact = await hub.db[model.CONTACTS].find_one({"_id": message["contact_id"]})
    assert contact is not None and "\ufffd" in contact["name"]
    raw = await hub.db[model.RAW_INBOUND].find_one({})
    assert raw is not None and raw["payload"]["message"]["text"] == "سلام \ufffd و \ufffd"


async def test_a_reply_sent_with_httpx_logging_at_debug_leaves_no_token_in_the_log(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi,
    caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    agent = await make_user(hub.db, "agent@x.test")
    # A photo first: its download URL (/file/bot<TOKEN>/...) carries the token percent-encoded.
    telegram_api.add_file("AgACAgQAAxkBAAIBZ2-large", b"\xff\xd8\xff" + b"p" * 500, "photos/file_7.jpg")
    status, answer = await post_update(http, base_url, payload("photo_with_caption"))
    assert status == 200 and answer["result"] == "stored", answer
    update = payload("text_in_persian_with_emoji_and_zero_width")
    status, answer = await post_update(http, base_url, update)
    assert status == 200
    message = await messages.get(hub.db, ObjectId(answer["message_id"]))
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    assert conversation is not None
    reply, _ = await outbox.post(hub, agent, conversation, "Your parcel left the warehouse.")
    assert (await settled(hub, reply["_id"]))["status"] == "sent"
    assert telegram_api.sent("sendMessage")
    lines = caplog.text
    assert "sendMessage" in lines  # httpx did log the request: the check below is not vacuous
    assert "/bot[redacted]/sendMessage" in lines and "/file/bot[redacted]/photos/file_7.jpg" in lines
    assert TOKEN not in lines and quote(TOKEN, safe="") not in lines
    assert TOKEN.partition(":")[2] not in lines
    assert SECRET not in lines
