"""What the routing engine reads: plain, frozen snapshots the hub fills from MongoDB and live presence.

Datetimes may be naive (PyMongo hands them out that way by default); naive means UTC here.
Durations are seconds as floats, so they store in MongoDB without conversion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Literal, get_args

EventKind = Literal["new_conversation", "reopened", "message", "capacity_freed", "reroute"]
Priority = Literal["low", "normal", "high", "urgent"]
ConversationStatus = Literal["open", "pending", "snoozed", "resolved"]
Presence = Literal["online", "away", "offline"]
Strategy = Literal["balanced", "round_robin", "manual"]
Escalation = Literal["notify_lead", "raise_priority", "reassign"]

EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)
PRIORITIES: tuple[Priority, ...] = get_args(Priority)  # lowest first
STATUSES: tuple[ConversationStatus, ...] = get_args(ConversationStatus)
PRESENCES: tuple[Presence, ...] = get_args(Presence)
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
ESCALATIONS: tuple[Escalation, ...] = get_args(Escalation)
PRIORITY_RANK: Mapping[str, int] = {name: rank for rank, name in enumerate(PRIORITIES)}


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def priority_rank(priority: str) -> int:
    # An unknown stored value ranks as "normal" rather than failing a whole decision.
    return PRIORITY_RANK.get(priority, PRIORITY_RANK["normal"])


def raised(priority: Priority) -> Priority:
    return PRIORITIES[min(priority_rank(priority) + 1, len(PRIORITIES) - 1)]


# ---------------------------------------------------------------------------------------------------------
# Snapshots of the world at the moment of the event


@dataclass(frozen=True, slots=True)
class RoutingEvent:
    kind: EventKind
    channel: str
    text: str = ""
    language: str | None = None  # ISO 639-1 from routing.language, None when unknown
    source: str | None = None  # e.g. the web page or campaign a chat started from
    # Agents who must not get this conversation, e.g. the assignee an SLA breach reassigns away from.
    exclude_agent_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    id: str
    channel: str
    status: ConversationStatus = "open"
    priority: Priority = "normal"
    labels: frozenset[str] = frozenset()
    department_id: str | None = None
    assignee_id: str | None = None
    previous_assignee_id: str | None = None  # the contact's last agent, for sticky routing
    waiting_since: datetime | None = None
    created_at: datetime | None = None
    last_autoreply_at: datetime | None = None
    first_response_at: datetime | None = None
    # Copied from the previous Decision so queued conversations keep their needs.
    required_language: str | None = None
    required_skills: frozenset[str] = frozenset()
    sla_escalated: frozenset[str] = frozenset()  # "first_response" / "resolution" already escalated
    # Past snoozes as (snoozed, ended): the SLA clocks stood still during them.
    paused: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    id: str
    name: str = ""
    attributes: Mapping[str, object] = field(default_factory=dict)
    tags: frozenset[str] = frozenset()
    vip: bool = False
    language: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: time
    end: time  # end <= start: the range runs past midnight ("22:00-06:00"; "00:00-24:00" is all day)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    timezone: str = "UTC"
    weekly: Mapping[int, tuple[TimeRange, ...]] = field(default_factory=dict)  # 0 = Monday
    holidays: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class SlaTarget:
    first_response: float | None = None  # seconds from creation
    resolution: float | None = None
    escalation: Escalation = "notify_lead"


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str = ""
    hours: BusinessHours | None = None  # None: always open
    autoreply_in_hours: str | None = None  # template names
    autoreply_out_of_hours: str | None = None
    strategy: Strategy = "balanced"
    fallback_after: float = 300.0
    sticky: bool = True
    lead_id: str | None = None
    sla: Mapping[str, SlaTarget] = field(default_factory=dict)  # keyed by priority

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class AgentState:
    id: str
    name: str = ""
    department_ids: frozenset[str] = frozenset()
    status: Presence = "offline"
    connected: bool = False
    capacity: int = 5
    open_count: int = 0
    skills: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    last_assigned_at: datetime | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


# ---------------------------------------------------------------------------------------------------------
# Rules

ScalarValue = str | int | float | bool
ConditionValue = ScalarValue | tuple[ScalarValue, ...] | None


@dataclass(frozen=True, slots=True)
class Condition:
    field: str  # see routing.conditions.FIELD_OPS; "attributes.<name>" for contact attributes
    op: str
    value: ConditionValue = None


@dataclass(frozen=True, slots=True)
class AnyOf:
    conditions: tuple[ConditionNode, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    conditions: tuple[ConditionNode, ...]


@dataclass(frozen=True, slots=True)
class Not:
    condition: ConditionNode


ConditionNode = Condition | AnyOf | AllOf | Not


@dataclass(frozen=True, slots=True)
class SetDepartment:
    department_id: str


@dataclass(frozen=True, slots=True)
class SetPriority:
    priority: Priority


@dataclass(frozen=True, slots=True)
class AddLabels:
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AutoReply:
    template: str


@dataclass(frozen=True, slots=True)
class SetStrategy:
    strategy: Strategy


@dataclass(frozen=True, slots=True)
class Notify:
    to: str  # "lead", "department", "assignee" or a user id; the hub resolves it
    message: str = ""


@dataclass(frozen=True, slots=True)
class RequireSkills:
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AssignAgent:
    agent_id: str


RuleAction = (
    SetDepartment | SetPriority | AddLabels | AutoReply | SetStrategy | Notify | RequireSkills | AssignAgent
)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    order: int = 0
    enabled: bool = True
    conditions: tuple[ConditionNode, ...] = ()  # all must hold; none means "always"
    actions: tuple[RuleAction, ...] = ()
    continue_matching: bool = False  # keep evaluating later rules after this one matched
    description: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    default_department_id: str
    rules: tuple[Rule, ...] = ()
    rules_version: str = "unversioned"  # routing.rules_io.rules_version(rules) gives a content hash
    departments: Mapping[str, Department] = field(default_factory=dict)  # keyed by id
    autoreply_window: float = 24 * 3600.0
    match_language: bool = True  # route to agents who speak the customer's language
