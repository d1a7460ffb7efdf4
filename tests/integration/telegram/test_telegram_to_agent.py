"""A customer writes to the bot, an agent sees it live and replies, the reply reaches the Bot API,
and when the customer has blocked the bot the agent reads why the reply failed."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import CUSTOMER_ID, payload, post_update
from tests.support.agents import login, make_user, next_event, sse_events


async def test_telegram_message_reaches_agent_live_and_replies_reach_the_bot_api_or_say_why_not(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession,
    telegram_api: FakeTelegramApi,
) -> None:
    await make_user(hub.db, "agent@x.test", departments=("Support",))
    csrf = await login(http, base_url, "agent@x.test")
    headers = {"X-CSRF-Token": csrf}
    update = payload("text_in_persian_with_emoji_and_zero_width")
    async with http.get(f"{base_url}/inbox/events") as stream_response:
        stream = sse_events(stream_response)
        await next_event(stream, "ready", {})
        status, body = await post_update(http2, base_url, update)
        assert status == 200, body
        seen = await next_event(stream, "messages", {"id": body["message_id"]})
        assert seen["text"] == update["message"]["text"]
        conversation_id = seen["conversation_id"]

        async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                             json={"text": "سفارش شما امروز ارسال می‌شود 📦"}, headers=headers) as r:
            assert r.status == 201, await r.text()
            first_id = (await r.json())["message"]["id"]
        await next_event(stream, "messages", {"id": first_id, "status": "sent"})
        [delivered] = telegram_api.sent("sendMessage")
        assert delivered.chat_id == str(CUSTOMER_ID)
        assert delivered.params["text"] == "سفارش شما امروز ارسال می‌شود 📦"

        telegram_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                             json={"text": "Are you still there?"}, headers=headers) as r:
            assert r.status == 201, await r.text()
            second_id = (await r.json())["message"]["id"]
        await next_event(stream, "messages", {"id": second_id, "status": "failed"})

    async with http.get(f"{base_url}/api/v1/conversations/{conversation_id}/messages", headers=headers) as r:
        timeline = {m["id"]: m for m in (await r.json())["messages"]}
    assert timeline[first_id]["status"] == "sent"
    assert (timeline[second_id]["status"], timeline[second_id]["error"]) == ("failed", "the customer blocked the bot")
    async with http.get(f"{base_url}/inbox/m/{second_id}") as r:
        assert "the customer blocked the bot" in await r.text()
