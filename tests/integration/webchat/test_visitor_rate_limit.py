"""A visitor may send a burst, then about one message a second; past that, an error frame says when to
try again and the message is not stored (the widget shows it as not sent)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from hub import names as model
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings
from tests.support.agents import Visitor


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, visitor_burst=3, visitor_per_second=0.01)


async def test_a_visitor_over_the_burst_is_told_to_wait_and_that_message_is_not_stored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    for n in range(3):
        await visitor.say(f"message {n}", f"m-{n}")
    await visitor.send({"type": "message", "text": "one too many", "client_id": "m-3"})
    limited = await visitor.receive("error")
    assert limited["code"] == "rate_limited" and limited["client_id"] == "m-3"
    assert 50 < limited["retry_after"] <= 100  # one message per 100 s at 0.01/s
    assert "too fast" in limited["error"] and "not sent" in limited["error"]
    assert await hub.db[model.MESSAGES].count_documents({"text": "one too many"}) == 0
    # The same visitor on a second socket shares the bucket; a ping is never limited.
    again = Visitor(http2, base_url)
    await again.connect(token=welcome["token"])
    await again.send({"type": "message", "text": "from another tab", "client_id": "m-4"})
    assert (await again.receive("error"))["code"] == "rate_limited"
    await again.send({"type": "ping"})
    await again.receive("pong")
    other = Visitor(http2, base_url)  # another visitor is not slowed down by this one
    await other.connect()
    assert (await other.say("hello", "o-1"))["id"]
