"""SLA targets per department and priority: when each conversation is due, and which breaches to escalate.

Clocks run from the conversation's creation and count only the department's business hours (a
department without hours is always open); a snoozed conversation's clocks are paused, so it is never
reported while snoozed, and once the snooze ends its due times move back by the open time it lasted.
A breach is reported once per target: the hub records it in `sla_escalated`
when it applies the escalation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from routing.decision import human_duration
from routing.hours import after_open_seconds, open_seconds_between
from routing.model import (
    PRIORITIES,
    ConversationSnapshot,
    Department,
    Escalation,
    Priority,
    raised,
    to_utc,
)

SlaKind = Literal["first_response", "resolution"]


@dataclass(frozen=True, slots=True)
class SlaDue:
    first_response_due: datetime | None
    resolution_due: datetime | None


@dataclass(frozen=True, slots=True)
class Breach:
    conversation_id: str
    department_id: str
    target: SlaKind
    due_at: datetime
    overdue_by: float  # seconds
    escalation: Escalation
    notify_user_id: str | None  # the department lead, when there is one: told of every escalation
    new_priority: Priority | None  # set for raise_priority
    exclude_agent_id: str | None  # set for reassign: route again without the current assignee
    reason: str


def sla_due(conversation: ConversationSnapshot, department: Department | None) -> SlaDue:
    start = conversation.created_at or conversation.waiting_since
    target = None if department is None else department.sla.get(conversation.priority)
    if start is None or target is None:
        return SlaDue(None, None)
    start = to_utc(start)

    hours = None if department is None else department.hours
    pauses = sorted((to_utc(a), to_utc(b)) for a, b in conversation.paused)

    def after(seconds: float | None) -> datetime | None:
        due = None if seconds is None else after_open_seconds(hours, start, seconds)
        for snoozed, woken in pauses:
            if due is None or snoozed >= due:
                break
            if woken <= start:
                continue
            # The clock stopped at the snooze with this much open time left, and ran on from its end.
            left = open_seconds_between(hours, max(snoozed, start), due)
            due = after_open_seconds(hours, woken, left)
        return due

    return SlaDue(after(target.first_response), after(target.resolution))


def _escalate(
    conversation: ConversationSnapshot, department: Department, kind: SlaKind, due: datetime, now: datetime
) -> Breach:
    target = department.sla[conversation.priority]
    escalation = target.escalation
    overdue = (now - due).total_seconds()
    what = "first response" if kind == "first_response" else "resolution"
    reason = f"{what} was due {human_duration(overdue)} ago ({conversation.priority} in {department.label})"
    new_priority: Priority | None = None
    exclude: str | None = None
    if escalation == "raise_priority" and conversation.priority == PRIORITIES[-1]:
        escalation, reason = "notify_lead", reason + "; already at top priority, so the lead is told"
    elif escalation == "reassign" and conversation.assignee_id is None:
        escalation, reason = "notify_lead", reason + "; nobody to reassign from, so the lead is told"
    if escalation == "raise_priority":
        new_priority = raised(conversation.priority)
        reason += f"; priority raised to {new_priority}"
    elif escalation == "reassign":
        exclude = conversation.assignee_id
        reason += f"; reassigning away from {exclude}"
    return Breach(
        conversation.id,
        department.id,
        kind,
        due,
        overdue,
        escalation,
        department.lead_id,
        new_priority,
        exclude,
        reason,
    )


def breaches(
    conversations: Iterable[ConversationSnapshot], departments: Mapping[str, Department], now: datetime
) -> list[Breach]:
    """Breaches not yet escalated, most overdue first."""
    now = to_utc(now)
    found: list[Breach] = []
    for conversation in conversations:
        if conversation.status in ("resolved", "snoozed") or conversation.department_id is None:
            continue  # a snoozed conversation's clocks are paused
        department = departments.get(conversation.department_id)
        if department is None or conversation.priority not in department.sla:
            continue
        due = sla_due(conversation, department)
        checks: tuple[tuple[SlaKind, datetime | None, bool], ...] = (
            ("first_response", due.first_response_due, conversation.first_response_at is None),
            ("resolution", due.resolution_due, True),
        )
        for kind, due_at, pending in checks:
            if due_at is not None and pending and due_at < now and kind not in conversation.sla_escalated:
                found.append(_escalate(conversation, department, kind, due_at, now))
    return sorted(found, key=lambda breach: (-breach.overdue_by, breach.conversation_id, breach.target))
