"""Auto-replies go out once and never to automatic mail; SLA breaches escalate; waiting widens the pool."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp

from hub.assign import autoreplies
from hub.assign.tasks import tick
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import agents, leases
from tests.integration.routing.support import agent, api, conversation, customer, department, token_for, writes
from tests.support.agents import make_user


async def outbound(hub: Hub, conversation_id: object) -> list[dict[str, Any]]:
    return await hub.db["messages"].find({"conversation_id": conversation_id, "direction": "out"}).to_list(10)


async def test_in_hours_auto_reply_greets_the_customer_by_name_without_stopping_the_clocks(hub: Hub) -> None:
    from hub.inbound.ingest import ingest

    await department(hub, "Support", autoreply={"in_hours": "in_hours"})
    await agent(hub, "support@x.test", status="away")
    inbound = customer("hello, anyone?", "v-1")
    result = await ingest(hub, replace(inbound, contact_name="Mina"))
    sent = await outbound(hub, result.conversation["_id"])
    assert len(sent) == 1
    assert sent[0]["text"] == ("Hello Mina, thank you for writing to Support. Someone from our team will answer you "
                               "here shortly.")
    assert sent[0]["extras"]["automatic"] is True and sent[0]["author"]["type"] == "system"
    after = await conversation(hub, result.conversation["_id"])
    assert after.get("first_response_at") is None and after["waiting_since"] is not None


async def test_at_most_one_auto_reply_per_conversation_within_the_window(hub: Hub) -> None:
    await agent(hub, "support@x.test")
    result = await writes(hub, "hi", "v-1")
    context = {"contact": {"name": ""}, "department": {"name": "Support"}}
    outcomes = await asyncio.gather(*(autoreplies.send(hub, result.conversation, "in_hours", context, None, 3600,
                                                       utcnow()) for _ in range(3)))
    assert sorted(outcomes).count("auto-reply 'in_hours' queued") == 1
    assert len(await outbound(hub, result.conversation["_id"])) == 1


async def test_no_auto_reply_to_a_message_that_was_itself_automatic(hub: Hub) -> None:
    await department(hub, "Support", autoreply={"in_hours": "in_hours"})
    await agent(hub, "support@x.test")
    result = await writes(hub, "I am out of the office until Monday", "v-ooo", auto_submitted=True)
    assert await outbound(hub, result.conversation["_id"]) == []
    routed = await conversation(hub, result.conversation["_id"])
    assert "message was itself automatic" in routed["routing"]["explanation"]["autoreply"]


async def test_out_of_hours_reply_is_in_the_customers_language_and_names_the_opening(hub: Hub) -> None:
    today = utcnow().date().isoformat()
    every_day = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    await department(hub, "Support", autoreply={"out_of_hours": "out_of_hours"},
                     hours={"timezone": "UTC", "weekly": every_day, "holidays": [today]})
    await agent(hub, "support@x.test", languages=["fa"])
    result = await writes(hub, "سلام، پرداخت من انجام نشد", "v-1")
    sent = await outbound(hub, result.conversation["_id"])
    assert len(sent) == 1
    tomorrow = (utcnow() + timedelta(days=1)).strftime("%A")
    assert str(sent[0]["text"]).startswith("سلام")
    assert f"{tomorrow} 00:00 (UTC)" in str(sent[0]["text"])


async def test_first_response_breach_raises_priority_and_tells_the_lead_once(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    lead = await make_user(hub.db, "lead@x.test", role="lead")
    await department(hub, "Support", lead_id=lead["_id"],
                     sla={"normal": {"first_response": 60, "escalation": "raise_priority"}})
    await agent(hub, "support@x.test")
    result = await writes(hub, "still waiting", "v-1")
    late = utcnow() + timedelta(minutes=5)
    assert (await tick(hub, late)).breaches == [str(result.conversation["_id"])]
    assert (await tick(hub, late + timedelta(seconds=30))).breaches == []
    escalated = await conversation(hub, result.conversation["_id"])
    assert escalated["priority"] == "high" and escalated["sla_escalated"] == ["first_response"]
    events = [m["text"] for m in await hub.db["messages"].find({"conversation_id": escalated["_id"],
                                                                "data.type": "sla_breach"}).to_list(5)]
    assert len(events) == 1 and "first response was due" in events[0] and "priority raised to high" in events[0]
    status, body = await api(http, "GET", f"{base_url}/api/v1/notifications", await token_for(hub, lead))
    assert status == 200 and [n["kind"] for n in body["notifications"]] == ["sla_breach"]
    assert body["notifications"][0]["conversation_id"] == str(escalated["_id"])


async def test_breach_with_reassign_moves_the_conversation_to_another_agent(hub: Hub) -> None:
    await department(hub, "Support", sla={"normal": {"first_response": 60, "escalation": "reassign"}})
    slow = await agent(hub, "slow@x.test")
    result = await writes(hub, "hello?", "v-1")
    assert (await conversation(hub, result.conversation["_id"]))["assignee_id"] == slow["_id"]
    quick = await agent(hub, "quick@x.test")
    await tick(hub, utcnow() + timedelta(minutes=5))
    moved = await conversation(hub, result.conversation["_id"])
    assert moved["assignee_id"] == quick["_id"]
    loads = {a["_id"]: a.get("open_count") for a in await agents.routable(hub.db)}
    assert loads == {slow["_id"]: 0, quick["_id"]: 1}


async def test_after_the_fallback_wait_a_conversation_goes_to_anyone_in_the_department(hub: Hub) -> None:
    await department(hub, "Support", fallback_after=60)
    await agent(hub, "persian@x.test", languages=["fa"], status="offline")
    english = await agent(hub, "english@x.test", languages=["en"])
    result = await writes(hub, "سلام، پیگیری سفارش", "v-1")
    waiting = await conversation(hub, result.conversation["_id"])
    assert waiting["assignee_id"] is None and waiting["required_language"] == "fa"
    assert "waiting for an agent with language fa" in waiting["routing"]["explanation"]["tie_break"]
    assert (await tick(hub, utcnow() + timedelta(seconds=10))).assigned == []
    assert (await tick(hub, utcnow() + timedelta(minutes=2))).assigned == [str(waiting["_id"])]
    assigned = await conversation(hub, waiting["_id"])
    assert assigned["assignee_id"] == english["_id"]
    assert "widened to all of Support" in assigned["routing"]["explanation"]["fallback"]


async def test_drifted_open_counts_are_repaired_from_the_conversations(hub: Hub) -> None:
    busy = await agent(hub, "busy@x.test")
    await writes(hub, "hello", "v-1")
    await hub.db["users"].update_one({"_id": busy["_id"]}, {"$set": {"open_count": 7}})
    assert (await tick(hub, utcnow())).open_counts_fixed == 1
    reloaded = await agents.get(hub.db, busy["_id"])
    assert reloaded is not None and reloaded["open_count"] == 1


async def test_only_one_process_holds_the_routing_lease_until_it_lapses(hub: Hub) -> None:
    now = utcnow()
    assert await leases.acquire(hub.db, "job", "process-a", now, 30)
    assert not await leases.acquire(hub.db, "job", "process-b", now + timedelta(seconds=5), 30)
    assert await leases.acquire(hub.db, "job", "process-a", now + timedelta(seconds=10), 30)
    assert await leases.acquire(hub.db, "job", "process-b", now + timedelta(seconds=41), 30)
