"""decide(): one routing decision over a snapshot, with every reason, so it can be shown, stored and replayed.

How the event kind changes things:
- new_conversation, reopened, reroute: rules may choose the department; the customer's previous agent is
  preferred (sticky) when available.
- message: rules run (priority, labels, notify, auto-reply) but a conversation under way keeps its
  department and assignee, and its priority only goes up: moving it mid-talk would surprise the agent.
- capacity_freed: no rules; a queued conversation is offered to whoever can take it now.
Auto-replies only answer the customer (new_conversation, reopened, message).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from routing.assignment import (
    AssignmentRequest,
    AssignmentResult,
    achievable_requirements,
    choose_agent,
    members,
    waited_seconds,
)
from routing.conditions import Facts, evaluate_all
from routing.decision import Decision, DecisionAction, Explanation, RuleTrace, SendAutoReply, human_duration
from routing.hours import is_open, next_open
from routing.model import (
    AddLabels,
    AgentState,
    AssignAgent,
    AutoReply,
    ContactSnapshot,
    ConversationSnapshot,
    Department,
    Notify,
    Policy,
    Priority,
    RequireSkills,
    RoutingEvent,
    Rule,
    SetDepartment,
    SetPriority,
    SetStrategy,
    Strategy,
    priority_rank,
    to_utc,
)

_INBOUND = frozenset({"new_conversation", "reopened", "message"})
_UNDER_WAY = frozenset({"message", "capacity_freed"})


@dataclass
class _Draft:
    """What matching rules asked for, gathered before it is checked against the departments and agents."""

    department_id: str | None = None
    department_rule: str = ""
    priority: Priority | None = None
    priority_rule: str = ""
    labels: set[str] = field(default_factory=set)
    autoreply: str | None = None
    autoreply_rule: str = ""
    strategy: Strategy | None = None
    notifications: list[Notify] = field(default_factory=list)
    skills: set[str] = field(default_factory=set)
    agent_id: str | None = None
    traces: list[RuleTrace] = field(default_factory=list)
    not_reached: int = 0
    disabled: int = 0
    notes: list[str] = field(default_factory=list)


def _department(policy: Policy, department_id: str) -> Department:
    return policy.departments.get(department_id) or Department(department_id)


def _known(policy: Policy, department_id: str) -> bool:
    # Without any department data (a fresh install) every id is taken on trust.
    return not policy.departments or department_id in policy.departments


def _apply(rule: Rule, draft: _Draft) -> None:
    for action in rule.actions:
        if isinstance(action, SetDepartment):
            draft.department_id, draft.department_rule = action.department_id, rule.name
        elif isinstance(action, SetPriority):
            draft.priority, draft.priority_rule = action.priority, rule.name
        elif isinstance(action, AddLabels):
            draft.labels.update(action.labels)
        elif isinstance(action, AutoReply):
            draft.autoreply, draft.autoreply_rule = action.template, rule.name
        elif isinstance(action, SetStrategy):
            draft.strategy = action.strategy
        elif isinstance(action, Notify):
            draft.notifications.append(action)
        elif isinstance(action, RequireSkills):
            draft.skills.update(action.skills)
        elif isinstance(action, AssignAgent):
            draft.agent_id = action.agent_id


def _run_rules(facts: Facts, policy: Policy, draft: _Draft) -> None:
    ordered = sorted(policy.rules, key=lambda rule: (rule.order, rule.id))
    draft.disabled = sum(1 for rule in ordered if not rule.enabled)
    for index, rule in enumerate(ordered):
        if not rule.enabled:
            continue
        try:
            verdict = evaluate_all(rule.conditions, facts)
        except Exception as exc:  # one malformed rule must not stop routing for everyone
            draft.traces.append(RuleTrace(rule.id, rule.name, "error", f"{type(exc).__name__}: {exc}"))
            continue
        if not verdict.matched:
            draft.traces.append(RuleTrace(rule.id, rule.name, "no_match", verdict.reason))
            continue
        draft.traces.append(RuleTrace(rule.id, rule.name, "matched", verdict.reason))
        _apply(rule, draft)
        if draft.department_id is not None and _known(policy, draft.department_id):
            # Later rules asking about business hours mean the department chosen so far.
            facts = replace(facts, department=_department(policy, draft.department_id))
        if not rule.continue_matching:
            draft.not_reached = sum(1 for later in ordered[index + 1 :] if later.enabled)
            return


def _choose_department(
    event: RoutingEvent, conversation: ConversationSnapshot, policy: Policy, draft: _Draft
) -> tuple[Department, str]:
    current = conversation.department_id
    if current is not None and current == draft.department_id:
        return _department(policy, current), f"set by rule '{draft.department_rule}'"
    if current is not None and event.kind in _UNDER_WAY:
        if draft.department_id is not None:
            draft.notes.append(
                f"rule '{draft.department_rule}' asked for department {draft.department_id}, "
                "but a conversation under way keeps its department"
            )
        if _known(policy, current):
            return _department(policy, current), "the conversation is already there"
    elif draft.department_id is not None:
        if _known(policy, draft.department_id):
            return _department(policy, draft.department_id), f"set by rule '{draft.department_rule}'"
        draft.notes.append(
            f"rule '{draft.department_rule}' names department '{draft.department_id}', which does not exist"
        )
    if current is not None and event.kind not in _UNDER_WAY and _known(policy, current):
        return _department(policy, current), "kept from the conversation"
    if current is not None and not _known(policy, current):
        draft.notes.append(f"the conversation's department '{current}' no longer exists")
    default = policy.default_department_id
    if not _known(policy, default):
        draft.notes.append(f"default department '{default}' has no settings; using defaults")
    return _department(policy, default), "policy default"


def _choose_priority(event: RoutingEvent, conversation: ConversationSnapshot, draft: _Draft) -> Priority:
    if draft.priority is None:
        return conversation.priority
    if event.kind in _UNDER_WAY and priority_rank(draft.priority) < priority_rank(conversation.priority):
        draft.notes.append(
            f"rule '{draft.priority_rule}' asked for {draft.priority} priority; "
            f"a conversation under way keeps {conversation.priority}"
        )
        return conversation.priority
    return draft.priority


def _autoreply(
    event: RoutingEvent,
    conversation: ConversationSnapshot,
    department: Department,
    policy: Policy,
    draft: _Draft,
    now: datetime,
    open_now: bool,
    opens_at: datetime | None,
) -> tuple[SendAutoReply | None, str]:
    if event.kind not in _INBOUND:
        return None, ""
    if draft.autoreply is not None:
        template, why = draft.autoreply, f"auto-reply '{draft.autoreply}' from rule '{draft.autoreply_rule}'"
    elif not open_now and department.autoreply_out_of_hours:
        template = department.autoreply_out_of_hours
        until = "" if opens_at is None else f" until {opens_at.isoformat(timespec='minutes')}"
        why = f"out-of-hours auto-reply '{template}' ({department.label} is closed{until})"
    elif open_now and event.kind != "message" and department.autoreply_in_hours:
        template = department.autoreply_in_hours
        why = f"in-hours auto-reply '{template}'"
    else:
        return None, ""
    last = conversation.last_autoreply_at
    if last is not None:
        ago = (now - to_utc(last)).total_seconds()
        if ago < policy.autoreply_window:
            window = human_duration(policy.autoreply_window)
            return None, f"{why} not sent: one went out {human_duration(ago)} ago (at most one per {window})"
    return SendAutoReply(template, out_of_hours=not open_now), f"{why} sent"


def _assign(
    event: RoutingEvent,
    conversation: ConversationSnapshot,
    department: Department,
    agents: Iterable[AgentState],
    request: AssignmentRequest,
) -> AssignmentResult:
    assignee = conversation.assignee_id
    if assignee is not None and event.kind in _UNDER_WAY and conversation.department_id == department.id:
        name = next((agent.label for agent in agents if agent.id == assignee), assignee)
        return AssignmentResult(assignee, name, (assignee,), (), (), f"already assigned to {name}")
    return choose_agent(request, agents)


def _decide(
    event: RoutingEvent,
    conversation: ConversationSnapshot,
    contact: ContactSnapshot,
    policy: Policy,
    agents: list[AgentState],
    now: datetime,
) -> Decision:
    draft = _Draft()
    if event.kind != "capacity_freed":
        start = conversation.department_id or policy.default_department_id
        facts = Facts.gather(
            event, conversation, contact, now, policy.departments, _department(policy, start)
        )
        _run_rules(facts, policy, draft)

    department, department_reason = _choose_department(event, conversation, policy, draft)
    priority = _choose_priority(event, conversation, draft)
    strategy = draft.strategy or department.strategy
    under_way = event.kind in _UNDER_WAY
    language: str | None = None
    if policy.match_language:
        kept = conversation.required_language if under_way else None
        language = kept or event.language or contact.language
    skills = draft.skills | (conversation.required_skills if under_way else frozenset())
    team = members(agents, department.id)
    language, required_skills, requirement_notes = achievable_requirements(department, team, language, skills)

    open_now = is_open(department, now)
    opens_at = None if open_now else next_open(department, now)
    if not open_now and opens_at is None:
        draft.notes.append(f"{department.label} has business hours that never open")
    reply, autoreply_text = _autoreply(
        event, conversation, department, policy, draft, now, open_now, opens_at
    )
    actions: list[DecisionAction] = [reply] if reply is not None else []
    actions.extend(draft.notifications)

    sticky = None
    if event.kind in ("new_conversation", "reopened", "reroute") and department.sticky:
        sticky = conversation.assignee_id or conversation.previous_assignee_id
    request = AssignmentRequest(
        department,
        strategy,
        waited_seconds(conversation, now),
        language,
        required_skills,
        draft.agent_id,
        sticky,
        event.exclude_agent_ids,
    )
    result = _assign(event, conversation, department, agents, request)

    explanation = Explanation(
        event_kind=event.kind,
        rules_version=policy.rules_version,
        rules=tuple(draft.traces),
        rules_not_reached=draft.not_reached,
        rules_disabled=draft.disabled,
        department_id=department.id,
        department_name=department.label,
        department_reason=department_reason,
        strategy=strategy,
        agent_id=result.agent_id,
        agent_name=result.agent_name,
        candidates=result.candidates,
        filtered_out=result.filtered_out,
        tie_break=result.tie_break,
        fallback=result.fallback,
        autoreply=autoreply_text,
        notes=(*draft.notes, *requirement_notes, *result.notes),
    )
    return Decision(
        department_id=department.id,
        agent_id=result.agent_id,
        priority=priority,
        labels=conversation.labels | frozenset(draft.labels),
        strategy=strategy,
        actions=tuple(actions),
        explanation=explanation,
        ranked_agent_ids=result.ranked,
        required_language=language,
        required_skills=required_skills,
        department_open=open_now,
        opens_at=opens_at,
    )


def decide(
    event: RoutingEvent,
    conversation: ConversationSnapshot,
    contact: ContactSnapshot,
    policy: Policy,
    agents: Iterable[AgentState],
    now: datetime,
) -> Decision:
    """Route one conversation. Never raises: on an unexpected error the conversation waits in a queue."""
    agent_list = list(agents)
    try:
        return _decide(event, conversation, contact, policy, agent_list, to_utc(now))
    except Exception as exc:  # ingest must go on; the explanation carries the error for whoever looks
        department_id = conversation.department_id or policy.default_department_id
        keep = conversation.assignee_id if event.kind in _UNDER_WAY else None
        note = f"routing failed ({type(exc).__name__}: {exc}); left in the {department_id} queue"
        explanation = Explanation(
            event_kind=event.kind,
            rules_version=policy.rules_version,
            department_id=department_id,
            department_name=department_id,
            department_reason="safe fallback after an error",
            agent_id=keep,
            tie_break="routing error",
            notes=(note,),
        )
        return Decision(
            department_id, keep, conversation.priority, conversation.labels, "manual", (), explanation
        )
