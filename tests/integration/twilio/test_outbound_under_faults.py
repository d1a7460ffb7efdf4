"""P6's correctness half (bench/outbound_rate.py measures the rate): replies sent while Twilio answers one
request in ten with a 429, a 500 that made nothing, or a 500 that hid a success are each created at Twilio
exactly once and all end `sent`: 0 duplicates, 0 lost."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from channels.base import PHONE, Identity, InboundMessage
from hub import names as model
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.outbound import replies
from hub.runtime import Hub
from tests.fakes.twilio import FakeTwilio
from tests.support.agents import make_user
from tests.support.polling import poll_until

REPLIES = 40


class FlakyTwilio(FakeTwilio):
    """Every tenth create request fails, in turn: 429 (no Retry-After), 500 before creating, 500 after."""

    def __init__(self) -> None:
        super().__init__()
        self.creates = 0
        self.injected: Counter[str] = Counter()

    async def _create_message(self, request: web.Request) -> web.Response:
        self.creates += 1
        if self.creates % 10 == 5:
            kind = ("429", "500", "500 after create")[(self.creates // 10) % 3]
            self.injected[kind] += 1
            self.answer_next(429 if kind == "429" else 500, 20429 if kind == "429" else 20500, "injected",
                             after_create=kind == "500 after create")
        return await super()._create_message(request)


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = FlakyTwilio()
    await fake.start()
    yield fake
    await fake.close()


async def test_replies_sent_through_injected_429s_and_500s_reach_twilio_once_each_and_all_end_sent(
    hub: Hub, fake_twilio: FlakyTwilio
) -> None:
    agent = await make_user(hub.db, "agent@x.test", role="lead")
    conversations = []
    for n in range(5):
        arrived = await ingest(hub, InboundMessage(channel="sms", identity=Identity(PHONE, f"+1415555{n:04d}"),
                                                   text="hello", received_at=utcnow(), external_id=f"SM-in-{n}",
                                                   raw={}))
        conversations.append(arrived.conversation)
    for n in range(REPLIES):
        await replies.post(hub, agent, conversations[n % 5], f"reply {n}", client_key=f"r{n}")

    async def all_sent() -> bool:
        return await hub.db[model.MESSAGES].count_documents({"direction": "out", "status": "sent"}) == REPLIES

    await poll_until(all_sent, "every reply sent", timeout=60, every=0.2)
    created = Counter(str(m["body"]) for m in fake_twilio.created)
    assert set(fake_twilio.injected) == {"429", "500", "500 after create"}, fake_twilio.injected
    assert [body for body, n in created.items() if n > 1] == [], "duplicates at Twilio"
    assert set(created) == {f"reply {n}" for n in range(REPLIES)}, "lost replies"
    adopted = await hub.db[model.MESSAGES].count_documents({"direction": "out", "reconciled_at": {"$exists": True}})
    assert adopted == fake_twilio.injected["500 after create"]  # looked up, not sent again
