"""Random customer traffic with known timings, through the hub's own paths, and its raw timeline.

Each conversation: a customer writes (ingest), is placed in a department with an agent, priority and
labels, gets a note and sometimes an automatic reply (neither counts), a first human reply, maybe a
second customer message and reply, a resolution, and sometimes a reopening by the customer's reply in
the same thread and a second resolution. The clock (tests/support/clock.py) moves by known seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from channels.base import EMAIL, PHONE, WEBCHAT, Identity, InboundMessage
from hub import names as model
from hub.actions.conversations import change_status
from hub.assign.snooze import wake_snoozed
from hub.inbound.ingest import ingest
from hub.outbound import replies
from hub.runtime import Hub
from hub.store import conversation_meta, conversations
from hub.store.db import Doc
from hub.store.documents import Conversation
from tests.support.clock import FakeClock

CHANNELS = {"webchat": WEBCHAT, "sms": PHONE, "email": EMAIL}
LABELS = ("billing", "bug", "vip")
PRIORITIES = ("normal", "high")


@dataclass
class Timeline:
    conversation_id: ObjectId
    created_at: datetime
    department_id: ObjectId
    agent_id: ObjectId
    channel: str
    labels: list[str]
    priority: str
    # (kind, at, since): since is where the duration starts
    events: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    # (kind, at, department_id, agent_id, labels, priority): customers' messages as the conversation stood
    # when they came, human replies (never notes or automatic replies) with the agent who wrote them
    messages: list[tuple[str, datetime, ObjectId | None, ObjectId | None, list[str], str]] = field(
        default_factory=list)
    statuses: list[tuple[datetime, str]] = field(default_factory=list)  # (from when, status)
    snoozes: list[tuple[datetime, datetime]] = field(default_factory=list)  # (snoozed, woken)

    def wrote(self, conversation: Doc, at: datetime) -> None:
        self.messages.append(("message_in", at, conversation.get("department_id"), conversation.get("assignee_id"),
                              list(conversation.get("labels") or []), conversation.get("priority") or "normal"))

    def replied(self, at: datetime) -> None:
        self.messages.append(("message_out", at, self.department_id, self.agent_id, self.labels, self.priority))


def _identity(channel: str, n: int) -> Identity:
    value = {"webchat": f"visitor-{n}", "sms": f"+4915100{n:05d}", "email": f"customer{n}@example.test"}[channel]
    return Identity(CHANNELS[channel], value)


async def _customer(hub: Hub, clock: FakeClock, channel: str, n: int, text: str,
                    thread: ObjectId | None = None) -> Doc:
    result = await ingest(hub, InboundMessage(
        channel=channel, identity=_identity(channel, n), text=text, received_at=clock.now,
        external_id=f"{n}:{text}", raw={"text": text},
        thread_conversation_id=str(thread) if thread else None))
    return dict(result.conversation)


async def _fresh(hub: Hub, conversation_id: ObjectId) -> Conversation:
    found = await conversations.get(hub.db, conversation_id)
    assert found is not None
    return found


async def _place(hub: Hub, line: Timeline) -> None:
    """Where routing would put it: a department, an agent, priority and labels (as the test drew them)."""
    await hub.db[model.CONVERSATIONS].update_one({"_id": line.conversation_id}, {"$set": {
        "department_id": line.department_id, "assignee_id": line.agent_id, "labels": line.labels,
        "priority": line.priority, "routed": True}})


async def generate(hub: Hub, clock: FakeClock, rng: random.Random, departments: list[Doc], agents: list[Doc],
                   count: int) -> list[Timeline]:
    timelines: list[Timeline] = []
    for n in range(count):
        clock.advance(rng.randint(600, 4 * 3600))
        channel = rng.choice(list(CHANNELS))
        department = rng.choice(departments)
        agent = rng.choice(agents)
        created = clock.now
        conversation = await _customer(hub, clock, channel, n, "hello, I need help")
        cid = conversation["_id"]
        labels = sorted(rng.sample(LABELS, rng.randint(0, 2)))
        line = Timeline(cid, created, department["_id"], agent["_id"], channel, labels, rng.choice(PRIORITIES))
        line.wrote(conversation, created)
        line.statuses.append((created, "open"))
        await _place(hub, line)
        clock.advance(rng.randint(1, 300))
        await replies.post(hub, agent, await _fresh(hub, cid), "looking into it", note=True)
        if rng.random() < 0.4:
            clock.advance(rng.randint(1, 60))
            await replies.post(hub, agent, await _fresh(hub, cid), "we are closed", extras={"automatic": True})
        clock.advance(rng.randint(30, 5 * 3600))
        await replies.post(hub, agent, await _fresh(hub, cid), "here is the answer")
        line.replied(clock.now)
        line.events.append(("first_response", clock.now, created))
        if rng.random() < 0.3:
            clock.advance(rng.randint(10, 600))
            await change_status(hub, agent, await _fresh(hub, cid), "pending")  # waiting on the customer
            line.statuses.append((clock.now, "pending"))
        if rng.random() < 0.5:
            clock.advance(rng.randint(60, 3600))
            asked = clock.now
            line.wrote(await _customer(hub, clock, channel, n, "one more question"), asked)
            line.statuses.append((asked, "open"))
            clock.advance(rng.randint(30, 2 * 3600))
            await replies.post(hub, agent, await _fresh(hub, cid), "and the second answer")
            line.replied(clock.now)
            line.events.append(("next_response", clock.now, asked))
        if rng.random() < 0.3:
            clock.advance(rng.randint(10, 600))
            snoozed = clock.now
            await conversation_meta.snooze(hub.db, cid, snoozed + timedelta(seconds=rng.randint(600, 20 * 3600)),
                                           snoozed)
            line.statuses.append((snoozed, "snoozed"))
            clock.advance(rng.randint(600, 21 * 3600))
            if await wake_snoozed(hub, clock.now):
                line.statuses.append((clock.now, "open"))
                line.snoozes.append((snoozed, clock.now))
            else:  # not due yet: the agent picks it up again
                await change_status(hub, agent, await _fresh(hub, cid), "open")
                line.statuses.append((clock.now, "open"))
                line.snoozes.append((snoozed, clock.now))
        clock.advance(rng.randint(60, 8 * 3600))
        await change_status(hub, agent, await _fresh(hub, cid), "resolved")
        resolved_at = clock.now
        line.statuses.append((resolved_at, "resolved"))
        line.events.append(("resolved", clock.now, created))
        if rng.random() < 0.25:
            clock.advance(rng.randint(60, 24 * 3600))
            reopened = clock.now
            line.wrote(await _customer(hub, clock, channel, n, "it broke again", thread=cid), reopened)
            line.statuses.append((reopened, "open"))
            await _place(hub, line)  # a reopened conversation is routed again; keep it where the test put it
            line.events.append(("reopened", reopened, resolved_at))
            # The customer is waiting again: the next human reply is a next response.
            clock.advance(rng.randint(30, 3600))
            await replies.post(hub, agent, await _fresh(hub, cid), "fixed again")
            line.replied(clock.now)
            line.events.append(("next_response", clock.now, reopened))
            clock.advance(rng.randint(60, 3600))
            await change_status(hub, agent, await _fresh(hub, cid), "resolved")
            line.statuses.append((clock.now, "resolved"))
            line.events.append(("resolved", clock.now, reopened))
        timelines.append(line)
    return timelines


START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # a Monday
