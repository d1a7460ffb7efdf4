"""Telegram cannot be asked whether a message arrived: a reply whose send got no answer is sent once
more, marked "may have been delivered" where agents see it, and never a third time blindly."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from hub.outbound import replies as outbox
from hub.outbound.dispatcher import GAVE_UP_UNCERTAIN, UNCERTAIN
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.test_outbound import customer_writes, settled
from tests.support.agents import login, make_user


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, outbox_lease_seconds=0.5)  # a send times out after two leases: 1 s


async def test_a_send_telegram_never_answered_is_resent_once_and_agents_see_it_may_be_a_double(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    telegram_api.slow_calls, telegram_api.delay_seconds = 1, 3.0  # delivered, answered past the timeout
    reply, _ = await outbox.post(hub, agent, conversation, "سلام")
    done = await settled(hub, reply["_id"])
    assert [c.params["text"] for c in telegram_api.sent()] == ["سلام", "سلام"]
    assert done["status"] == "sent" and done["attempts"] == 2
    assert done["delivery_uncertain"] == UNCERTAIN.format(channel="telegram")

    await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/api/v1/conversations/{conversation['_id']}/messages") as r:
        shown = [m for m in (await r.json())["messages"] if m["id"] == str(reply["_id"])]
    assert shown[0]["delivery_uncertain"].startswith("may have been delivered")
    async with http.get(f"{base_url}/inbox/m/{reply['_id']}") as r:
        assert "may have been delivered" in await r.text()


async def test_a_reply_telegram_never_answers_is_attempted_twice_then_failed_saying_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    agent = await make_user(hub.db, "agent@x.test")
    conversation = await customer_writes(http, base_url, hub)
    telegram_api.slow_calls, telegram_api.delay_seconds = 10, 3.0
    reply, _ = await outbox.post(hub, agent, conversation, "hello")
    done = await settled(hub, reply["_id"])
    assert len(telegram_api.sent()) == 2
    assert done["status"] == "failed" and done["error"] == GAVE_UP_UNCERTAIN.format(channel="telegram")
