"""Replies leave through one outbox: leased, retried with backoff, failed visibly at the end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.base import ChannelError, ChannelRejected, OutboundMessage, SendResult
from hub import names as model
from hub.clock import utcnow
from hub.outbound import replies as outbox
from hub.outbound.dispatcher import backoff_seconds
from hub.runtime import Hub
from hub.store import messages
from hub.store.documents import Conversation, Message
from tests.integration.test_ingest_dedupe import inbound
from tests.support.agents import make_user
from tests.support.polling import poll_until


class FakeProvider:
    """A loopback provider API that answers with the statuses it is told to, and records calls."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls: list[dict[str, object]] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.calls.append(await request.json())
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            return web.json_response({"id": f"prov-{len(self.calls)}"})
        return web.json_response({"message": "upstream is down"}, status=status)


class HttpChannel:
    """A minimal adapter over the fake provider: 5xx is transient, 4xx is a refusal."""

    name = "webchat"

    def __init__(self, url: str) -> None:
        self.url = url

    async def send(self, message: OutboundMessage) -> SendResult:
        async with aiohttp.ClientSession() as session, session.post(self.url, json={"text": message.text}) as r:
            body = await r.json()
            if r.status >= 500:
                raise ChannelError(f"provider answered {r.status}: {body['message']}")
            if r.status >= 400:
                raise ChannelRejected(f"provider refused: {body['message']}")
            return SendResult(provider_id=str(body["id"]))


@pytest.fixture
async def provider(aiohttp_server) -> AsyncIterator[tuple[FakeProvider, TestServer]]:  # type: ignore[no-untyped-def]
    fake = FakeProvider([])
    app = web.Application()
    app.router.add_post("/send", fake.handle)
    srv = await aiohttp_server(app, host="127.0.0.1")
    yield fake, srv


async def queued_reply(hub: Hub, text: str = "hello") -> Message:
    agent = await make_user(hub.db, "a@x.test")
    result = await ingest_one(hub)
    reply, _ = await outbox.post(hub, agent, result, text)
    return reply


async def ingest_one(hub: Hub) -> Conversation:
    from hub.inbound.ingest import ingest

    return (await ingest(hub, inbound("need help", "q-1"))).conversation


async def wait_status(hub: Hub, message_id: object, *statuses: str, timeout: float = 15) -> Message:
    async def reached() -> Message | None:
        doc = await messages.get(hub.db, message_id)  # type: ignore[arg-type]
        return doc if doc and doc["status"] in statuses else None

    return await poll_until(reached, f"message {message_id} {' or '.join(statuses)}", timeout=timeout)


async def test_transient_errors_are_retried_then_the_reply_is_sent(hub: Hub, provider) -> None:  # type: ignore[no-untyped-def]
    fake, srv = provider
    fake.statuses = [503, 503]
    hub.channels["webchat"] = HttpChannel(str(srv.make_url("/send")))
    reply = await queued_reply(hub)
    sent = await wait_status(hub, reply["_id"], "sent", "failed")
    assert sent["status"] == "sent" and sent["provider_id"] == "prov-3"
    assert sent["attempts"] == 3 and len(fake.calls) == 3


async def test_a_channel_that_keeps_erroring_fails_visibly_with_the_reason(hub: Hub, provider) -> None:  # type: ignore[no-untyped-def]
    fake, srv = provider
    fake.statuses = [502] * 50
    hub.channels["webchat"] = HttpChannel(str(srv.make_url("/send")))
    reply = await queued_reply(hub)
    failed = await wait_status(hub, reply["_id"], "failed", timeout=30)
    assert failed["attempts"] == hub.settings.outbox_max_attempts
    assert failed["error"] == (f"provider answered 502: upstream is down (gave up after "
                               f"{hub.settings.outbox_max_attempts} attempts)")
    assert len(fake.calls) == hub.settings.outbox_max_attempts


async def test_a_refusal_fails_at_once_without_retrying(hub: Hub, provider) -> None:  # type: ignore[no-untyped-def]
    fake, srv = provider
    fake.statuses = [403]
    hub.channels["webchat"] = HttpChannel(str(srv.make_url("/send")))
    reply = await queued_reply(hub)
    failed = await wait_status(hub, reply["_id"], "failed")
    assert failed["error"] == "provider refused: upstream is down" and len(fake.calls) == 1


async def test_an_expired_lease_of_a_crashed_process_is_taken_over(hub: Hub, provider) -> None:  # type: ignore[no-untyped-def]
    _, srv = provider
    hub.channels["webchat"] = HttpChannel(str(srv.make_url("/send")))
    conversation = await ingest_one(hub)
    now = utcnow()

    async def row(text: str, **fields: object) -> Message:
        doc, _ = await messages.enqueue(hub.db, {
            "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"],
            "direction": model.OUT, "kind": "message", "channel": "webchat", "to": {"kind": "webchat", "value": "v-1"},
            "text": text, "created_at": now, **fields})
        return doc

    # A row another process leased and then died holding: its lease ran out a second ago.
    crashed = await row("orphan", lease_until=now - timedelta(seconds=1), lease_owner="dead-host:1", attempts=1)
    # And one whose lease is still valid must be left alone.
    held = await row("held", lease_until=now + timedelta(minutes=5), lease_owner="busy-host:2", attempts=1)
    hub.outbox_wakeup.set()
    taken = await wait_status(hub, crashed["_id"], "sent")
    assert taken["lease_owner"].startswith(hub.process_id + "/") and taken["attempts"] == 2
    # A row due after the held one: once it is sent, the dispatcher has looked past the held row.
    later = await row("later", next_attempt_at=now + timedelta(milliseconds=1))
    hub.outbox_wakeup.set()
    await wait_status(hub, later["_id"], "sent")
    still_held = await messages.get(hub.db, held["_id"])
    assert still_held is not None and still_held["status"] == "queued" and still_held["lease_owner"] == "busy-host:2"


async def test_unconfigured_channel_fails_with_a_readable_reason(hub: Hub) -> None:
    hub.channels.pop("webchat")
    reply = await queued_reply(hub)
    failed = await wait_status(hub, reply["_id"], "failed")
    assert failed["error"] == "the webchat channel is not configured"


async def test_double_submit_with_the_same_client_key_queues_one_reply(hub: Hub) -> None:
    agent = await make_user(hub.db, "a@x.test")
    conversation = await ingest_one(hub)
    results = await asyncio.gather(*(outbox.post(hub, agent, conversation, "once", client_key="k") for _ in range(5)))
    assert sum(created for _, created in results) == 1
    assert await hub.db[model.MESSAGES].count_documents({"direction": "out"}) == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    import random

    rng = random.Random(7)
    delays = [backoff_seconds(n, 2.0, rng) for n in range(1, 6)]
    for n, delay in enumerate(delays, start=1):
        assert 0.5 * 2.0 * 2 ** (n - 1) <= delay <= 1.5 * 2.0 * 2 ** (n - 1)
    assert backoff_seconds(40, 2.0, rng) <= 1.5 * 15 * 60
