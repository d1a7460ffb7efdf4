"""The periodic routing pass, run by whichever hub process holds the lease.

1. Repair agents' open_count from the conversations themselves (drift after a crash or a store-level move).
2. Escalate SLA breaches: a timeline event, a notification for the lead, a raised priority or a reassignment.
3. Offer queued conversations again: agents came online or freed up, or a fallback wait passed and the
   language or skill a conversation waited for is no longer required.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub.assign.apply import claim_agent
from hub.assign.moves import decide_within
from hub.assign.runtime import runtime
from hub.assign.snapshot import RoutingConfig, agent_state, conversation_snapshot
from hub.assign.snooze import wake_snoozed
from hub.live import notify
from hub.runtime import Hub
from hub.store import agents, messages, routing_state
from hub.store.db import Doc, oid
from hub.store.documents import Conversation
from routing.assignment import availability_problem, order_queue
from routing.engine import decide
from routing.model import ContactSnapshot, RoutingEvent
from routing.sla import Breach, breaches, sla_due

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    open_counts_fixed: int = 0
    breaches: list[str] = field(default_factory=list)
    assigned: list[str] = field(default_factory=list)
    woken: list[str] = field(default_factory=list)


async def tick(hub: Hub, now: datetime) -> TickReport:
    report = TickReport()
    for agent_id, stored, actual in await agents.reconcile_open_counts(hub.db):
        log.info("open_count repaired agent=%s stored=%s actual=%s", agent_id, stored, actual)
        report.open_counts_fixed += 1
    config = await runtime(hub).config()
    report.breaches = await escalate_breaches(hub, config, now)
    report.assigned = await offer_queued(hub, config, now)
    report.woken = await wake_snoozed(hub, now)  # snoozed conversations whose time came reopen
    return report


async def escalate_breaches(hub: Hub, config: RoutingConfig, now: datetime) -> list[str]:
    docs = {str(doc["_id"]): doc for doc in await routing_state.sla_candidates(hub.db, now)}
    found = breaches([conversation_snapshot(doc, config) for doc in docs.values()], config.policy.departments, now)
    await _push_back_paused(hub, config, docs, {b.conversation_id for b in found})
    done: list[str] = []
    for breach in found:
        doc = docs[breach.conversation_id]
        fields: Doc = {}
        if breach.new_priority is not None:
            fields["priority"] = breach.new_priority
            department = config.policy.departments.get(breach.department_id)
            due = sla_due(replace(conversation_snapshot(doc, config), priority=breach.new_priority), department)
            fields["sla_first_response_due"] = due.first_response_due
            fields["sla_resolution_due"] = due.resolution_due
        updated = await routing_state.mark_escalated(hub.db, doc["_id"], breach.target, fields, now)
        if updated is None:  # another process escalated it already
            continue
        await _escalate(hub, config, updated, breach, now)
        done.append(breach.conversation_id)
    return done


async def _push_back_paused(hub: Hub, config: RoutingConfig, docs: Mapping[str, Conversation], breached: set[str]
                            ) -> None:
    """A candidate that was snoozed since its due times were stored is due later (routing.sla): store that."""
    for conversation_id, doc in docs.items():
        if conversation_id in breached or not doc.get("snoozes"):
            continue
        owner = doc.get("department_id")
        key = config.key_by_oid.get(owner) if isinstance(owner, ObjectId) else None
        department = config.policy.departments.get(key) if key else None
        due = sla_due(conversation_snapshot(doc, config), department)
        await routing_state.set_sla_due(hub.db, doc["_id"], due.first_response_due, due.resolution_due)


async def _escalate(hub: Hub, config: RoutingConfig, doc: Mapping[str, Any], breach: Breach, now: datetime) -> None:
    text = f"SLA breach: {breach.reason}."
    lead = oid(breach.notify_user_id) if breach.notify_user_id else None
    told = await notify.notify(hub.db, [lead, doc.get("assignee_id")], "sla_breach", text, now, conversation=doc,
                               data={"target": breach.target, "escalation": breach.escalation})
    if lead is not None and any(n["user_id"] == lead for n in told):
        text += " The team lead was notified."
    await messages.insert_event(hub.db, doc, text, {
        "type": "sla_breach", "target": breach.target, "escalation": breach.escalation,
        "overdue_seconds": breach.overdue_by, "notified": lead, "priority": doc.get("priority")}, now)
    if breach.escalation != "reassign" or breach.exclude_agent_id is None:
        return
    old = oid(breach.exclude_agent_id)
    agent_id, decision, _team = await decide_within(hub, config, doc, breach.department_id, now,
                                                    exclude=frozenset({breach.exclude_agent_id}))
    if agent_id is None:
        await messages.insert_event(hub.db, doc, "No one else can take it now, so it stays with its agent.",
                                    {"type": "assignment", "by": "sla", "reason": decision.explanation.tie_break},
                                    now)
        return
    moved = await routing_state.move(hub.db, doc["_id"], old, {"assignee_id": agent_id, "assigned_at": now,
                                                               "routing": decision.as_dict()}, now)
    if moved is None:
        await agents.release(hub.db, agent_id)
        return
    if old is not None:
        await agents.release(hub.db, old)
    await messages.insert_event(hub.db, moved, f"Reassigned after the SLA breach. {decision.explanation.summary()}",
                                {"type": "routing", "by": "sla", "decision": decision.as_dict()}, now)


async def offer_queued(hub: Hub, config: RoutingConfig, now: datetime, limit: int = 200) -> list[str]:
    department_ids = await routing_state.queued_department_ids(hub.db)
    if not department_ids:
        return []
    team = [agent_state(doc, config, now) for doc in await agents.routable(hub.db)]
    if all(availability_problem(agent) for agent in team):
        return []
    queue = {str(doc["_id"]): doc for doc in await routing_state.queued(hub.db, department_ids, limit)}
    assigned: list[str] = []
    for snapshot in order_queue(conversation_snapshot(doc, config) for doc in queue.values()):
        free = [a for a in team if availability_problem(a) is None and snapshot.department_id in a.department_ids]
        if not free:
            continue
        event = RoutingEvent("capacity_freed", snapshot.channel)
        decision = decide(event, snapshot, ContactSnapshot(str(queue[snapshot.id].get("contact_id", ""))),
                          config.policy, team, now)
        if decision.agent_id is None:
            continue
        agent_id, decision = await claim_agent(hub, decision, team, now)
        if agent_id is None:
            continue
        taken = await routing_state.assign_from_queue(hub.db, ObjectId(snapshot.id), agent_id,
                                                      {"routing": decision.as_dict()}, now)
        if taken is None:
            await agents.release(hub.db, agent_id)
            continue
        await messages.insert_event(hub.db, taken, decision.explanation.summary(),
                                    {"type": "routing", "by": "queue", "decision": decision.as_dict()}, now)
        await notify.assigned(hub.db, taken, agent_id, now)
        assigned.append(snapshot.id)
        team = [replace(a, open_count=a.open_count + 1, last_assigned_at=now) if a.id == str(agent_id) else a
                for a in team]
    return assigned
