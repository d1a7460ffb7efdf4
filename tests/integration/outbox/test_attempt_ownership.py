"""Each send attempt owns its outbox row alone: a slow send keeps its lease, a stale attempt cannot
write over the current one, and an attempt whose outcome is unknown is settled before any resend."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bson import ObjectId

from channels.base import OutboundMessage, SendResult, UnsettledAttempt
from hub import names as model
from hub.clock import utcnow
from hub.outbound import replies as outbox
from hub.outbound.dispatcher import GAVE_UP_UNCERTAIN, UNCERTAIN, Dispatcher
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import messages
from hub.store.documents import Message
from tests.conftest import make_settings
from tests.integration.test_outbox_dispatcher import ingest_one, queued_reply, wait_status

LEASE_SECONDS = 0.6


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, outbox_lease_seconds=LEASE_SECONDS)


class SlowChannel:
    """A provider that takes `seconds` to answer each send (or never, past the send timeout)."""

    name = "webchat"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.sends: list[str] = []

    async def send(self, message: OutboundMessage) -> SendResult:
        self.sends.append(message.message_id)
        await asyncio.sleep(self.seconds)
        return SendResult(provider_id=f"slow-{len(self.sends)}")


class LookupChannel(SlowChannel):
    """A provider that can be asked what became of an earlier attempt."""

    def __init__(self, finds: str | None) -> None:
        super().__init__(0)
        self.finds = finds
        self.asked: list[UnsettledAttempt] = []

    async def reconcile(self, message: OutboundMessage, attempt: UnsettledAttempt) -> SendResult | None:
        self.asked.append(attempt)
        return SendResult(provider_id=self.finds) if self.finds else None


async def row_left_by_a_crash(hub: Hub, started_at: datetime) -> Message:
    """A reply whose attempt started, never recorded its outcome, and whose lease has run out."""
    conversation = await ingest_one(hub)
    doc, _ = await messages.enqueue(hub.db, {
        "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"], "direction": model.OUT,
        "kind": "message", "channel": "webchat", "to": {"kind": "webchat", "value": "v-1"}, "text": "in flight",
        "created_at": started_at, "attempts": 1, "lease_owner": "dead-host:1/a1", "lease_until": started_at,
        "attempt_owner": "dead-host:1/a1", "attempt_number": 1, "attempt_started_at": started_at,
    })
    hub.outbox_wakeup.set()
    return doc


async def test_a_send_slower_than_the_lease_goes_out_once_while_two_dispatchers_compete(hub: Hub) -> None:
    slow = SlowChannel(LEASE_SECONDS * 1.5)  # longer than the lease, inside the send timeout
    hub.channels["webchat"] = slow
    rival = Dispatcher(hub)  # as a second hub process would, on the same database
    await rival.start()
    try:
        reply = await queued_reply(hub)
        sent = await wait_status(hub, reply["_id"], "sent", "failed")
    finally:
        await rival.stop()
    assert slow.sends == [str(reply["_id"])]
    assert sent["status"] == "sent" and sent["attempts"] == 1 and "delivery_uncertain" not in sent


async def test_a_stale_attempt_cannot_record_its_outcome_over_the_current_one(hub: Hub) -> None:
    conversation = await ingest_one(hub)
    later = utcnow() + timedelta(days=365)  # due only for the leases below, never for the hub's dispatcher
    doc, _ = await messages.enqueue(hub.db, {
        "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"], "direction": model.OUT,
        "kind": "message", "channel": "webchat", "to": {"kind": "webchat", "value": "v-1"}, "text": "hi",
        "created_at": later})
    first = await messages.lease_due(hub.db, "host:1/first", later, 1)
    assert first is not None and first["_id"] == doc["_id"]
    assert await messages.record_attempt_started(hub.db, doc["_id"], "host:1/first", 1, later)
    # The first attempt's lease ran out; a second attempt (same process, another worker) takes the row.
    second = await messages.lease_due(hub.db, "host:1/second", later + timedelta(seconds=2), 1)
    assert second is not None and second["attempt_owner"] == "host:1/first"

    assert not await messages.extend_lease(hub.db, doc["_id"], "host:1/first", later + timedelta(seconds=9))
    assert await messages.mark_sent(hub.db, doc["_id"], "host:1/first", "stale-id", "sent", later) is None
    assert not await messages.schedule_retry(hub.db, doc["_id"], "host:1/first", "late", later, later)
    assert await messages.mark_failed(hub.db, doc["_id"], "late", later, "host:1/first") is None
    current = await messages.mark_sent(hub.db, doc["_id"], "host:1/second", "current-id", "sent", later)
    assert current is not None and current["provider_id"] == "current-id" and current["attempts"] == 2


async def test_an_unsettled_attempt_found_at_the_provider_is_adopted_not_sent_again(hub: Hub) -> None:
    lookup = LookupChannel(finds="found-at-provider")
    hub.channels["webchat"] = lookup
    doc = await row_left_by_a_crash(hub, utcnow() - timedelta(seconds=5))
    sent = await wait_status(hub, doc["_id"], "sent", "failed")
    assert lookup.sends == [] and [a.owner for a in lookup.asked] == ["dead-host:1/a1"]
    assert sent["status"] == "sent" and sent["provider_id"] == "found-at-provider" and sent["reconciled_at"]


async def test_an_unsettled_attempt_the_provider_never_saw_is_sent_once(hub: Hub) -> None:
    lookup = LookupChannel(finds=None)
    hub.channels["webchat"] = lookup
    doc = await row_left_by_a_crash(hub, utcnow() - timedelta(seconds=5))
    sent = await wait_status(hub, doc["_id"], "sent", "failed")
    assert len(lookup.asked) == 1 and lookup.sends == [str(doc["_id"])]
    assert sent["status"] == "sent" and sent["provider_id"] == "slow-1" and "delivery_uncertain" not in sent


async def test_a_channel_that_cannot_look_up_resends_once_saying_so_then_never_again(hub: Hub) -> None:
    silent = SlowChannel(60)  # never answers within the send timeout
    hub.channels["webchat"] = silent
    doc = await row_left_by_a_crash(hub, utcnow() - timedelta(seconds=5))
    failed = await wait_status(hub, doc["_id"], "sent", "failed", timeout=30)
    assert silent.sends == [str(doc["_id"])]  # one blind resend after the crash, then no more
    assert failed["status"] == "failed"
    assert failed["delivery_uncertain"] == UNCERTAIN.format(channel="webchat")
    assert failed["error"] == GAVE_UP_UNCERTAIN.format(channel="webchat")

    # The agent asked the customer and retries: a plain send, no longer flagged.
    silent.seconds = 0
    await outbox.retry(hub, doc["_id"])
    sent = await wait_status(hub, doc["_id"], "sent")
    assert silent.sends == [str(doc["_id"])] * 2 and sent["delivery_uncertain"] is None


async def test_a_worker_skips_the_rows_its_siblings_are_taking_and_takes_the_next_due_one(hub: Hub) -> None:
    conversation = await ingest_one(hub)
    later = utcnow() + timedelta(days=365)  # due only for the leases below, never for the hub's dispatcher
    rows = []
    for n in range(2):
        doc, _ = await messages.enqueue(hub.db, {
            "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"],
            "direction": model.OUT, "kind": "message", "channel": "webchat", "to": {"kind": "webchat", "value": "v-1"},
            "text": f"reply {n}", "created_at": later + timedelta(milliseconds=n)})
        rows.append(doc["_id"])
    busy = {rows[0]}  # a sibling worker is taking the oldest
    taken = await messages.lease_due(hub.db, "host:1/b", later + timedelta(seconds=1), 30, busy=busy)
    assert taken is not None and taken["_id"] == rows[1] and taken["attempts"] == 1
    assert busy == {rows[0], rows[1]}, "the row won stays marked until its worker is done with it"
    assert await messages.lease_due(hub.db, "host:1/c", later + timedelta(seconds=1), 30, busy=busy) is None
    oldest = await messages.get(hub.db, rows[0])
    assert oldest is not None and oldest.get("lease_owner") is None  # skipped: no write was tried on it


async def far_future_rows(hub: Hub, count: int) -> tuple[datetime, list[ObjectId]]:
    """`count` queued replies due only for the leases a test takes, never for the hub's own dispatcher."""
    conversation = await ingest_one(hub)
    later = utcnow() + timedelta(days=365)
    ids = []
    for n in range(count):
        doc, _ = await messages.enqueue(hub.db, {
            "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"],
            "direction": model.OUT, "kind": "message", "channel": "webchat", "to": {"kind": "webchat", "value": "v-1"},
            "text": f"reply {n}", "created_at": later + timedelta(milliseconds=n)})
        ids.append(doc["_id"])
    return later + timedelta(seconds=1), ids


async def test_a_short_queue_is_split_between_the_workers_and_two_dispatchers_never_win_the_same_row(
        hub: Hub) -> None:
    now, ids = await far_future_rows(hub, 8)
    share = await messages.lease_batch(hub.db, "host:1/a", now, 30, 16, share=4)
    assert [d["_id"] for d in share] == ids[:2], "a quarter of the free rows, oldest first, for one of four workers"
    rivals = await asyncio.gather(messages.lease_batch(hub.db, "host:2/a", now, 30, 16),
                                  messages.lease_batch(hub.db, "host:3/a", now, 30, 16))
    won = [{d["_id"] for d in batch} for batch in rivals]
    assert not won[0] & won[1] and won[0] | won[1] == set(ids[2:])
    for owner, batch in zip(("host:2/a", "host:3/a"), won, strict=True):
        for row_id in batch:
            stored = await messages.get(hub.db, row_id)
            assert stored is not None and stored["lease_owner"] == owner and stored["attempts"] == 1


async def test_renewing_a_batch_lease_keeps_a_row_freed_for_its_retry_free(hub: Hub) -> None:
    now, ids = await far_future_rows(hub, 2)
    batch = await messages.lease_batch(hub.db, "host:1/a", now, 30, 16)
    assert len(batch) == 2
    assert await messages.schedule_retry(hub.db, ids[0], "host:1/a", "503", now, now)
    assert await messages.extend_leases(hub.db, batch, "host:1/a", now + timedelta(seconds=60)) == 1
    retried = await messages.get(hub.db, ids[0])
    assert retried is not None and retried["lease_until"] is None, "due again for whoever looks next"
    other = await messages.lease_batch(hub.db, "host:1/b", now + timedelta(seconds=1), 30, 16)
    assert [d["_id"] for d in other] == [ids[0]]


class FirstSlowChannel(SlowChannel):
    """The first reply's answer takes `seconds`; every later one comes at once."""

    async def send(self, message: OutboundMessage) -> SendResult:
        self.sends.append(message.message_id)
        number = len(self.sends)
        if number == 1:
            await asyncio.sleep(self.seconds)
        return SendResult(provider_id=f"slow-{number}")


async def test_a_slow_provider_answer_holds_up_only_its_own_reply_not_the_rest_of_the_batch(hub: Hub) -> None:
    channel = FirstSlowChannel(LEASE_SECONDS * 1.5)  # longer than the lease: it is renewed meanwhile
    hub.channels["webchat"] = channel
    now, ids = await far_future_rows(hub, 4)
    batch = await messages.lease_batch(hub.db, "host:1/a", now, LEASE_SECONDS, 16)
    delivering = asyncio.create_task(Dispatcher(hub).deliver(batch, "host:1/a"))
    later = [await wait_status(hub, row_id, "sent") for row_id in ids[1:]]
    first = await messages.get(hub.db, ids[0])
    assert first is not None and first["status"] == "queued", "the three after it left while it still waited"
    await delivering
    sent = await wait_status(hub, ids[0], "sent")
    assert channel.sends == [str(i) for i in ids] and sent["attempts"] == 1 and sent["provider_id"] == "slow-1"
    assert all(r["attempts"] == 1 and r["lease_owner"] == "host:1/a" for r in later)
