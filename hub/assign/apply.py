"""Where the pure routing engine meets the database: gather a snapshot, decide, apply, explain.

Ingest calls `route_new` before the first message is stored (so that message's live event already
reaches the right department) and `record` after it (so the explanation, the auto-reply and the
detected language follow the message in the timeline). Neither ever raises into ingest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bson import ObjectId

from channels.base import InboundMessage
from hub.assign import autoreplies
from hub.assign.runtime import runtime
from hub.assign.snapshot import RoutingConfig, agent_state, contact_snapshot, conversation_snapshot
from hub.live import notify
from hub.runtime import Hub
from hub.store import agents, conversations, messages, routing_state
from hub.store.db import Doc, oid
from hub.store.documents import Conversation
from routing.decision import Decision, SendAutoReply
from routing.engine import decide
from routing.hours import zone
from routing.model import AgentState, ConversationSnapshot, EventKind, Notify, RoutingEvent
from routing.sla import sla_due

log = logging.getLogger(__name__)


async def route_new(hub: Hub, conversation: Conversation, contact: Mapping[str, Any], inbound: InboundMessage,
                    now: datetime) -> tuple[Conversation, Doc | None]:
    """Route a conversation that has just opened (or reopened).

    Returns (conversation, explanation event to record after the first message), or (conversation,
    None) when a concurrent copy of the message routed it first.
    """
    try:
        return await _route_new(hub, conversation, contact, inbound, now)
    except Exception as exc:  # ingest must go on: the conversation waits in the default queue
        log.exception("routing failed conversation=%s", conversation.get("_id"))
        return await _fallback(hub, conversation, now, f"routing failed ({type(exc).__name__}: {exc})")


async def _route_new(hub: Hub, conversation: Conversation, contact: Mapping[str, Any], inbound: InboundMessage,
                     now: datetime) -> tuple[Conversation, Doc | None]:
    config = await runtime(hub).config()
    hint = inbound.extras.get("department")
    hinted = config.department_for(hint) if isinstance(hint, str) and hint else None
    if hinted is not None:
        # The channel's own department (a mailbox's) stands in for the default; rules still come first.
        config = replace(config, policy=replace(config.policy, default_department_id=config.key_by_oid[hinted["_id"]]))
    kind: EventKind = "reopened" if conversation.get("reopened_at") else "new_conversation"
    source = inbound.extras.get("source")
    snapshot = conversation_snapshot(conversation, config, inbound.channel, contact.get("last_agent_id"))
    decision, language, team = await plan(hub, config, snapshot, contact, inbound.text, kind, now,
                                          source if isinstance(source, str) else None)
    if inbound.extras.get("auto_submitted") and any(isinstance(a, SendAutoReply) for a in decision.actions):
        # Answering an out-of-office mail with our own auto-reply is how mail loops start.
        decision = replace(decision, actions=tuple(a for a in decision.actions if not isinstance(a, SendAutoReply)),
                           explanation=replace(decision.explanation, autoreply="no auto-reply: the customer's "
                                               "message was itself automatic (Auto-Submitted)"))
    agent_id, decision = await claim_agent(hub, decision, team, now)
    fields = decision_fields(decision, config, snapshot, agent_id, now)
    if language:
        fields["language"] = language
    applied = await routing_state.apply_first_route(hub.db, conversation["_id"], fields, now)
    if applied is None:  # a concurrent copy of this message routed it first
        if agent_id is not None:
            await agents.release(hub.db, agent_id)
        return await conversations.get(hub.db, conversation["_id"]) or conversation, None
    after: Doc = {"language": language, "actions": _pending_actions(decision, config, contact, language)}
    return applied, explanation_event(decision, after)


async def plan(hub: Hub, config: RoutingConfig, snapshot: ConversationSnapshot, contact: Mapping[str, Any], text: str,
               kind: EventKind, now: datetime, source: str | None = None,
               team: list[AgentState] | None = None) -> tuple[Decision, str | None, list[AgentState]]:
    """Gather what routing reads (agents fresh; departments and rules cached) and decide. No writes."""
    rt = runtime(hub)
    if team is None:
        team = [agent_state(doc, config, now) for doc in await agents.routable(hub.db)]
    language = None
    # lingua is only worth its cost when a rule asks about language or some agent speaks a listed one.
    if rt.detection_enabled and (config.language_rule or any(agent.languages for agent in team)):
        language = await rt.detect(text)
    event = RoutingEvent(kind, snapshot.channel, text, language, source)
    decision = decide(event, snapshot, contact_snapshot(contact, language), config.policy, team, now)
    return decision, language, team


async def _fallback(hub: Hub, conversation: Conversation, now: datetime, why: str
                    ) -> tuple[Conversation, Doc | None]:
    department_id: ObjectId | None = None
    try:
        config = await runtime(hub).config()
        department_id = config.department_oid(config.policy.default_department_id)
    except Exception:
        log.exception("routing configuration unreadable")
    text = f"{why}; left in the default department's queue."
    fields: Doc = {"department_id": department_id, "assignee_id": None,
                   "routing": {"explanation": {"summary": text}}}
    applied = await routing_state.apply_first_route(hub.db, conversation["_id"], fields, now)
    if applied is None:
        return await conversations.get(hub.db, conversation["_id"]) or conversation, None
    return applied, {"text": text, "data": {"type": "routing", "decision": fields["routing"]}}


async def claim_agent(hub: Hub, decision: Decision, team: list[AgentState], now: datetime
                      ) -> tuple[ObjectId | None, Decision]:
    """Take a capacity slot from the chosen agent, else the next in line; the explanation says who and why."""
    names = {agent.id: agent.label for agent in team}
    ranked = decision.ranked_agent_ids or ((decision.agent_id,) if decision.agent_id else ())
    lost: list[str] = []
    for agent_id in ranked:
        agent_oid = oid(agent_id)
        if agent_oid is None:
            continue
        if await agents.claim(hub.db, agent_oid, now):
            if agent_id == decision.agent_id:
                return agent_oid, decision
            note = (f"{', '.join(lost)} reached capacity with a simultaneous conversation; "
                    f"next in line: {names.get(agent_id, agent_id)}")
            explanation = replace(decision.explanation, agent_id=agent_id, agent_name=names.get(agent_id),
                                  notes=(*decision.explanation.notes, note))
            return agent_oid, replace(decision, agent_id=agent_id, explanation=explanation)
        lost.append(names.get(agent_id, agent_id))
    if decision.agent_id is None:
        return None, decision
    why = f"{', '.join(lost)} reached capacity with a simultaneous conversation; waiting in the queue"
    explanation = replace(decision.explanation, agent_id=None, agent_name=None, tie_break=why)
    return None, replace(decision, agent_id=None, explanation=explanation)


def decision_fields(decision: Decision, config: RoutingConfig, snapshot: ConversationSnapshot,
                    agent_id: ObjectId | None, now: datetime) -> Doc:
    """What a decision changes on the conversation document."""
    department = config.policy.departments.get(decision.department_id)
    due = sla_due(replace(snapshot, priority=decision.priority, created_at=snapshot.created_at or now), department)
    fields: Doc = {
        "department_id": config.department_oid(decision.department_id),
        "assignee_id": agent_id,
        "priority": decision.priority,
        "labels": sorted(decision.labels),
        "routing": decision.as_dict(),
        "required_language": decision.required_language,
        "required_skills": sorted(decision.required_skills),
        "sla_first_response_due": due.first_response_due,
        "sla_resolution_due": due.resolution_due,
    }
    if agent_id is not None:
        fields["assigned_at"] = now
    return fields


def explanation_event(decision: Decision, after: Doc | None = None) -> Doc:
    event: Doc = {"text": decision.explanation.summary(),
                  "data": {"type": "routing", "decision": decision.as_dict()}}
    if after:
        event["after"] = after
    return event


def _pending_actions(decision: Decision, config: RoutingConfig, contact: Mapping[str, Any], language: str | None
                     ) -> list[Doc]:
    department = config.policy.departments.get(decision.department_id)
    actions: list[Doc] = []
    for action in decision.actions:
        if isinstance(action, SendAutoReply):
            opens_at = ""
            if decision.opens_at is not None:
                tz = department.hours.timezone if department and department.hours else "UTC"
                opens_at = decision.opens_at.astimezone(zone(tz)).strftime("%A %H:%M") + f" ({tz})"
            actions.append({"type": "autoreply", "template": action.template, "context": {
                "contact": {"name": contact.get("name") or "", "attributes": dict(contact.get("attributes") or {})},
                "department": {"name": department.label if department else decision.department_id},
                "out_of_hours": action.out_of_hours, "opens_at": opens_at},
                "language": language or contact.get("language")})
        elif isinstance(action, Notify):
            lead = department.lead_id if department else None
            target = {"lead": lead, "assignee": decision.agent_id}.get(action.to, action.to)
            message = action.message or decision.explanation.summary()
            actions.append({"type": "notify", "to": target, "message": message})
    return actions


async def record(hub: Hub, conversation: Mapping[str, Any], explanation: Doc, now: datetime) -> None:
    """Write the explanation into the timeline, then what the decision asked for beyond assignment."""
    try:
        await messages.insert_event(hub.db, conversation, explanation["text"], explanation["data"], now)
        await notify.assigned(hub.db, conversation, conversation.get("assignee_id"), now)
        after = explanation.get("after") or {}
        if after.get("language"):
            await routing_state.record_language(hub.db, conversation, now, after["language"])
        for action in after.get("actions") or []:
            await _follow_up(hub, conversation, action, now)
    except Exception:  # the message is stored; a failed follow-up must not fail the webhook
        log.exception("recording the routing decision failed conversation=%s", conversation.get("_id"))


async def _follow_up(hub: Hub, conversation: Mapping[str, Any], action: Doc, now: datetime) -> None:
    if action["type"] == "autoreply":
        outcome = await autoreplies.send(hub, conversation, action["template"], action["context"],
                                         action.get("language"), runtime(hub).settings.autoreply_window_seconds,
                                         now)
        log.info("auto-reply conversation=%s outcome=%s", conversation["_id"], outcome)
        if not outcome.endswith("queued"):
            await messages.insert_event(hub.db, conversation, f"Auto-reply not sent: {outcome}.",
                                        {"type": "autoreply", "sent": False, "reason": outcome}, now)
    elif action["type"] == "notify":
        await notify.notify(hub.db, [oid(action.get("to"))], "routing", str(action.get("message") or ""), now,
                            conversation=conversation)


def present_agents(team: list[AgentState]) -> list[dict[str, Any]]:
    return [{"id": a.id, "name": a.label, "status": a.status, "connected": a.connected, "capacity": a.capacity,
             "open_count": a.open_count, "languages": sorted(a.languages), "skills": sorted(a.skills),
             "departments": sorted(a.department_ids)} for a in team]
