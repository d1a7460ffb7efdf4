"""Moving conversations after they were first routed: capacity freed, reassignment, transfer.

Every move keeps agents' `open_count` true (the slot goes back on resolve, unassign and transfer) and
leaves a timeline event saying who moved what, where, and why, with the lead's note.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from bson import ObjectId
from pydantic import BeforeValidator

from hub import names as model
from hub.assign.apply import claim_agent
from hub.assign.runtime import runtime
from hub.assign.snapshot import RoutingConfig, agent_state, conversation_snapshot
from hub.errors import BadInput, Conflict
from hub.live import notify
from hub.runtime import Hub
from hub.store import agents, messages, routing_state
from hub.store.db import Doc
from hub.store.documents import Conversation
from routing.assignment import pick_next_for_agent
from routing.decision import Decision
from routing.engine import decide
from routing.model import AgentState, ContactSnapshot, RoutingEvent
from routing.sla import sla_due

log = logging.getLogger(__name__)
MAX_NOTE = 2000


def _note_text(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError("'note' must be text")
    note = raw.strip()
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is {len(note):,} characters; keep it under {MAX_NOTE:,}")
    return note


# The lead's optional note on a move, as request models read it: trimmed, "" when absent.
Note = Annotated[str, BeforeValidator(_note_text)]


async def offer_queue_to(hub: Hub, agent_id: ObjectId, now: datetime) -> list[Conversation]:
    """Give an agent with room the longest-waiting queued conversations they can take, one slot at a time."""
    config = await runtime(hub).config()
    assigned: list[Conversation] = []
    while True:
        doc = await agents.get(hub.db, agent_id)
        if doc is None or not agents.is_routable(doc):
            break
        state = agent_state(doc, config, now)
        department_ids = [config.department_oid(key) for key in state.department_ids]
        queue = await routing_state.queued(hub.db, [d for d in department_ids if d is not None])
        pick = pick_next_for_agent(state, [conversation_snapshot(c, config) for c in queue],
                                   config.policy.departments, now)
        if pick.conversation_id is None:
            break
        taken = await _take_first(hub, agent_id, pick.ranked, pick.reason, now)
        if taken is None:
            break
        await messages.insert_event(
            hub.db, taken, f"Assigned to {state.label}, whose capacity freed up: {pick.reason}.",
            {"type": "assignment", "assignee_id": agent_id, "by": "routing", "reason": pick.reason}, now)
        await notify.assigned(hub.db, taken, agent_id, now)
        assigned.append(taken)
    return assigned


async def _take_first(hub: Hub, agent_id: ObjectId, ranked: tuple[str, ...], reason: str, now: datetime
                      ) -> Conversation | None:
    for conversation_id in ranked:
        if not await agents.claim(hub.db, agent_id, now):
            return None  # full after all (another event took the slot)
        taken = await routing_state.assign_from_queue(hub.db, ObjectId(conversation_id), agent_id,
                                                      {"routing.queue_pick": reason}, now)
        if taken is not None:
            return taken
        await agents.release(hub.db, agent_id)  # someone else took that one; try the next
    return None


async def after_status_change(hub: Hub, before: Mapping[str, Any], after: Mapping[str, Any], now: datetime) -> None:
    """Resolving gives the assignee's slot back (and fills it from the queue); reopening takes one."""
    assignee = before.get("assignee_id")
    was_active, is_active = before.get("status") != "resolved", after.get("status") != "resolved"
    if assignee is None or was_active == is_active:
        return
    if not is_active:
        await agents.release(hub.db, assignee)
        await routing_state.remember_agent(hub.db, before["contact_id"], assignee)
        await offer_queue_to(hub, assignee, now)
    else:
        await agents.add_load(hub.db, assignee, now)


async def reassign(hub: Hub, user: Doc, conversation: Mapping[str, Any], assignee: Doc | None, note: str, now: datetime
                   ) -> Conversation:
    old: ObjectId | None = conversation.get("assignee_id")
    new: ObjectId | None = assignee["_id"] if assignee else None
    updated = await routing_state.move(hub.db, conversation["_id"], old, {"assignee_id": new, "assigned_at": now},
                                       now)
    if updated is None:
        raise Conflict("someone else moved this conversation just now; reload and try again")
    active = updated.get("status") != "resolved"
    if active and old != new:
        if old is not None:
            await agents.release(hub.db, old)
        if new is not None:
            await agents.add_load(hub.db, new, now)
    who = assignee.get("name") if assignee else "nobody"
    text = f"{user.get('name')} assigned this to {who}." + (f" Note: {note}" if note else "")
    await messages.insert_event(hub.db, updated, text, {"type": "assignment", "assignee_id": new, "from": old,
                                                        "by": user["_id"], "note": note or None}, now,
                                author=model.agent_author(user))
    if new != old:
        await notify.assigned(hub.db, updated, new, now, actor=user, why=note)
    if active and old is not None and old != new:
        await offer_queue_to(hub, old, now)
    return updated


async def decide_within(hub: Hub, config: RoutingConfig, conversation: Mapping[str, Any], department_key: str,
                        now: datetime, exclude: frozenset[str] = frozenset()
                        ) -> tuple[ObjectId | None, Decision, list[AgentState]]:
    """Pick (and claim) an agent in one department for a conversation already under way."""
    team = [agent_state(doc, config, now) for doc in await agents.routable(hub.db)]
    snapshot = replace(conversation_snapshot(conversation, config), department_id=department_key, assignee_id=None)
    event = RoutingEvent("capacity_freed", snapshot.channel, exclude_agent_ids=exclude)
    decision = decide(event, snapshot, ContactSnapshot(str(conversation.get("contact_id", ""))), config.policy,
                      team, now)
    agent_id, decision = await claim_agent(hub, decision, team, now)
    return agent_id, decision, team


async def transfer(hub: Hub, user: Doc, conversation: Mapping[str, Any], department: Doc, note: str, now: datetime,
                   agent: Doc | None = None) -> Conversation:
    config = await runtime(hub).config()
    key = config.key_by_oid[department["_id"]]
    old_assignee: ObjectId | None = conversation.get("assignee_id")
    old_department = conversation.get("department_id")
    decision: Decision | None = None
    if agent is not None:
        if department["_id"] not in (agent.get("department_ids") or []):
            raise BadInput(f"{agent.get('name')} is not in {department.get('name')}")
        new_assignee: ObjectId | None = agent["_id"]
        await agents.add_load(hub.db, agent["_id"], now)
    else:
        new_assignee, decision, _team = await decide_within(hub, config, conversation, key, now)
    fields: Doc = {"department_id": department["_id"], "assignee_id": new_assignee, "transferred_at": now}
    # The receiving department's SLA targets apply from now on (clocks still run from creation).
    due = sla_due(conversation_snapshot(conversation, config), config.policy.departments.get(key))
    fields.update(sla_first_response_due=due.first_response_due, sla_resolution_due=due.resolution_due)
    if new_assignee is not None:
        fields["assigned_at"] = now
    if decision is not None:
        fields["routing"] = decision.as_dict()
    updated = await routing_state.move(hub.db, conversation["_id"], old_assignee, fields, now)
    if updated is None:
        if new_assignee is not None:
            await agents.release(hub.db, new_assignee)
        raise Conflict("someone else moved this conversation just now; reload and try again")
    active = updated.get("status") != "resolved"
    if old_assignee is not None and active:
        await agents.release(hub.db, old_assignee)
    if not active and new_assignee is not None:
        await agents.release(hub.db, new_assignee)
    old_name = next((str(d.get("name")) for d in config.department_docs.values() if d["_id"] == old_department),
                    "no department")
    if agent is not None:
        outcome = f"assigned to {agent.get('name')}"
    elif decision is not None and decision.agent_id is not None:
        outcome = f"assigned to {decision.explanation.agent_name or decision.agent_id}"
    else:
        outcome = "waiting in its queue" + (f" ({decision.explanation.tie_break})" if decision else "")
    text = f"{user.get('name')} transferred this from {old_name} to {department.get('name')}, {outcome}."
    if note:
        text += f" Note: {note}"
    await messages.insert_event(hub.db, updated, text, {
        "type": "transfer", "from_department": old_department, "to_department": department["_id"],
        "from_assignee": old_assignee, "to_assignee": new_assignee, "note": note or None, "by": user["_id"],
        "decision": None if decision is None else decision.as_dict()}, now, author=model.agent_author(user))
    receiver = agent if agent is not None else None if new_assignee is None else {
        "_id": new_assignee, "name": decision.explanation.agent_name if decision else None}
    await notify.transferred(hub.db, updated, department, now, actor=user, assignee=receiver, note=note)
    if old_assignee is not None and old_assignee != new_assignee and active:
        await offer_queue_to(hub, old_assignee, now)
    return updated
