"""SLA clocks stand still while a conversation is snoozed: once the snooze ends (its time came, or the customer
wrote), the breach comes later by the snoozed time. A controllable clock drives the periodic pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from hub.assign.tasks import tick
from hub.runtime import Hub
from hub.store import conversation_meta
from tests.integration.routing.support import agent, conversation, department, writes
from tests.support.clock import FakeClock, install

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _waiting_customer(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeClock, ObjectId]:
    clock = install(monkeypatch, START)
    await department(hub, "Support", sla={"normal": {"first_response": 600, "escalation": "notify_lead"}})
    await agent(hub, "support@x.test")
    result = await writes(hub, "hello, is anyone there?", "v-1")
    clock.advance(120)
    await conversation_meta.snooze(hub.db, result.conversation["_id"], START + timedelta(minutes=20), clock.now)
    return clock, result.conversation["_id"]


async def _breaches_at(hub: Hub, clock: FakeClock, minutes: float) -> list[str]:
    clock.now = START + timedelta(minutes=minutes)
    return (await tick(hub, clock.now)).breaches


async def test_a_snooze_that_ends_on_time_moves_the_first_response_breach_back_by_its_length(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    clock, cid = await _waiting_customer(hub, monkeypatch)
    assert await _breaches_at(hub, clock, 15) == []  # snoozed: the clock stands still
    clock.now = START + timedelta(minutes=20)
    assert (await tick(hub, clock.now)).woken == [str(cid)]
    # Due 10 minutes after creation, plus the 18 minutes it slept: 09:28, not 09:10.
    assert await _breaches_at(hub, clock, 27.9) == []
    assert (await conversation(hub, cid))["sla_first_response_due"] == START + timedelta(minutes=28)
    assert await _breaches_at(hub, clock, 28.1) == [str(cid)]


async def test_a_customer_writing_ends_the_snooze_and_the_pause_counts_until_then(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    clock, cid = await _waiting_customer(hub, monkeypatch)
    clock.now = START + timedelta(minutes=12)
    await writes(hub, "hello again?", "v-1")
    doc = await conversation(hub, cid)
    assert doc["status"] == "open" and "snoozed_at" not in doc
    assert doc["snoozes"] == [{"from": START + timedelta(minutes=2), "to": START + timedelta(minutes=12)}]
    assert await _breaches_at(hub, clock, 19.9) == []  # 10 minutes + the 10 it slept
    assert await _breaches_at(hub, clock, 20.1) == [str(cid)]
