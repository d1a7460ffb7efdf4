"""Small builders so each test states only what matters to it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from routing.model import (
    AgentState,
    BusinessHours,
    ContactSnapshot,
    ConversationSnapshot,
    Department,
    EventKind,
    Policy,
    Presence,
    RoutingEvent,
    Rule,
    TimeRange,
)
from routing.rules_io import rules_from_yaml

# Monday 2 June 2025, 10:00 UTC = 13:30 in Tehran: inside the Saturday-Wednesday 09:00-17:00 week.
NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
TEHRAN_WEEK = BusinessHours(
    "Asia/Tehran",
    {day: (TimeRange(time(9), time(17)),) for day in (5, 6, 0, 1, 2)},
)


def agent(
    agent_id: str,
    *,
    departments: Iterable[str] = ("support",),
    status: Presence = "online",
    connected: bool = True,
    capacity: int = 5,
    open_count: int = 0,
    skills: Iterable[str] = (),
    languages: Iterable[str] = ("en",),
    last_assigned_at: datetime | None = None,
) -> AgentState:
    return AgentState(
        id=agent_id,
        name=agent_id.title(),
        department_ids=frozenset(departments),
        status=status,
        connected=connected,
        capacity=capacity,
        open_count=open_count,
        skills=frozenset(skills),
        languages=frozenset(languages),
        last_assigned_at=last_assigned_at,
    )


def conversation(conversation_id: str = "c1", **fields: Any) -> ConversationSnapshot:
    fields.setdefault("channel", "whatsapp")
    fields.setdefault("created_at", NOW)
    fields.setdefault("waiting_since", fields["created_at"])
    return ConversationSnapshot(id=conversation_id, **fields)


def contact(**fields: Any) -> ContactSnapshot:
    fields.setdefault("id", "k1")
    return ContactSnapshot(**fields)


def event(
    text: str = "",
    *,
    kind: EventKind = "new_conversation",
    channel: str = "whatsapp",
    language: str | None = None,
    **fields: Any,
) -> RoutingEvent:
    return RoutingEvent(kind=kind, channel=channel, text=text, language=language, **fields)


def department(department_id: str, **fields: Any) -> Department:
    fields.setdefault("name", department_id.title())
    return Department(id=department_id, **fields)


def policy(
    rules: Iterable[Rule] | str = (),
    departments: Iterable[Department] = (),
    *,
    default: str = "support",
    **fields: Any,
) -> Policy:
    parsed = rules_from_yaml(rules) if isinstance(rules, str) else tuple(rules)
    return Policy(
        default_department_id=default,
        rules=parsed,
        departments={d.id: d for d in departments},
        **fields,
    )


def minutes_ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)
