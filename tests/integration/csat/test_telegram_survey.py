"""Telegram: a resolve in a department that asks sends 1–5 buttons once; a press is the rating (answered
to Telegram, the conversation stays resolved); a later message that is no rating is a normal message."""

from __future__ import annotations

from typing import Any

import aiohttp
from bson import ObjectId

from hub.runtime import Hub
from hub.store import conversations, csat, messages
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.csat.helpers import set_status, turn_on_survey
from tests.integration.telegram.conftest import CUSTOMER_ID, payload, post_update
from tests.support.polling import poll_until


async def test_resolved_telegram_conversation_gets_one_keyboard_and_a_press_rates_it_without_reopening(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession,
    telegram_api: FakeTelegramApi,
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    status, body = await post_update(http2, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert status == 200, body
    stored = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert stored is not None
    conversation_id = str(stored["conversation_id"])
    for status_name in ("resolved", "open", "resolved", "open", "resolved"):  # reopened by hand: still one survey
        await set_status(http, base_url, csrf, conversation_id, status_name)

    def keyboards() -> list[Any]:
        return [c for c in telegram_api.sent("sendMessage") if c.params.get("reply_markup")]

    async def sent_keyboard() -> list[Any]:
        return keyboards()

    [survey] = await poll_until(sent_keyboard, "the survey reaches the Bot API")
    assert survey.chat_id == str(CUSTOMER_ID)
    buttons = survey.params["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["1", "2", "3", "4", "5"]
    assert [b["callback_data"] for b in buttons] == [f"choice:{i}" for i in range(1, 6)]

    press = payload("survey_button_pressed")
    status, body = await post_update(http2, base_url, press)
    assert status == 200 and body["result"] == "stored", body
    status, again = await post_update(http2, base_url, press)  # Telegram delivers it twice
    assert status == 200 and again["result"] == "duplicate", again
    answered = telegram_api.sent("answerCallbackQuery")
    assert answered and answered[0].params["callback_query_id"] == press["callback_query"]["id"]
    rating = await csat.for_conversation(hub.db, ObjectId(conversation_id))
    assert rating is not None and rating["score"] == 4 and rating["channel"] == "telegram"
    after = await conversations.get(hub.db, ObjectId(conversation_id))
    assert after is not None and after["status"] == "resolved"
    timeline = await messages.timeline(hub.db, ObjectId(conversation_id), limit=200)
    assert [m for m in timeline if (m.get("data") or {}).get("type") == "rating"]
    assert len(keyboards()) == 1

    words = payload("text_in_persian_with_emoji_and_zero_width")
    words["update_id"] += 50
    words["message"]["message_id"] += 50
    words["message"]["text"] = "5 تا سفارش دیگر هم دارم"
    status, body = await post_update(http2, base_url, words)
    assert status == 200, body
    later = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert later is not None
    reopened = await conversations.get(hub.db, later["conversation_id"])
    assert reopened is not None and reopened["status"] != "resolved"
    assert (await csat.for_conversation(hub.db, ObjectId(conversation_id)) or {}).get("score") == 4
