"""What the routing engine returns: a Decision for the hub to apply, with the Explanation it keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from routing.model import Notify, Priority, Strategy

RuleOutcome = Literal["matched", "no_match", "error"]


@dataclass(frozen=True, slots=True)
class SendAutoReply:
    template: str
    out_of_hours: bool


DecisionAction = SendAutoReply | Notify


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule_id: str
    name: str
    outcome: RuleOutcome
    reason: str


@dataclass(frozen=True, slots=True)
class Candidate:
    agent_id: str
    name: str
    open_count: int
    capacity: int
    last_assigned_at: datetime | None


@dataclass(frozen=True, slots=True)
class Exclusion:
    agent_id: str
    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Explanation:
    event_kind: str
    rules_version: str
    rules: tuple[RuleTrace, ...] = ()  # only the rules evaluated, in order
    rules_not_reached: int = 0
    rules_disabled: int = 0
    department_id: str = ""
    department_name: str = ""
    department_reason: str = ""
    strategy: str = ""
    agent_id: str | None = None
    agent_name: str | None = None
    candidates: tuple[Candidate, ...] = ()
    filtered_out: tuple[Exclusion, ...] = ()
    tie_break: str = ""
    fallback: str = ""
    autoreply: str = ""
    notes: tuple[str, ...] = ()

    @property
    def matched_rules(self) -> tuple[RuleTrace, ...]:
        return tuple(trace for trace in self.rules if trace.outcome == "matched")

    def as_dict(self, agent_limit: int = 50) -> dict[str, Any]:
        """JSON- and BSON-safe form for the conversation timeline and the explain API.

        Agent lists are cut at agent_limit (with totals kept) so a 200-agent department does not put
        hundreds of entries into every timeline event; pass a larger limit for the explain API.
        """
        return {
            "event_kind": self.event_kind,
            "rules_version": self.rules_version,
            "matched_rules": [{"id": t.rule_id, "name": t.name} for t in self.matched_rules],
            "rules": [
                {"id": t.rule_id, "name": t.name, "outcome": t.outcome, "reason": t.reason}
                for t in self.rules
            ],
            "rules_not_reached": self.rules_not_reached,
            "rules_disabled": self.rules_disabled,
            "department": {
                "id": self.department_id,
                "name": self.department_name,
                "reason": self.department_reason,
            },
            "strategy": self.strategy,
            "agent": None if self.agent_id is None else {"id": self.agent_id, "name": self.agent_name},
            "candidates": [
                {
                    "id": c.agent_id,
                    "name": c.name,
                    "open_count": c.open_count,
                    "capacity": c.capacity,
                    "last_assigned_at": None
                    if c.last_assigned_at is None
                    else c.last_assigned_at.isoformat(),
                }
                for c in self.candidates[:agent_limit]
            ],
            "candidates_total": len(self.candidates),
            "filtered_out": [
                {"id": e.agent_id, "name": e.name, "reason": e.reason}
                for e in self.filtered_out[:agent_limit]
            ],
            "filtered_out_total": len(self.filtered_out),
            "tie_break": self.tie_break,
            "fallback": self.fallback,
            "autoreply": self.autoreply,
            "notes": list(self.notes),
            "summary": self.summary(),
        }

    def summary(self) -> str:
        """One or two sentences a team lead can read in the timeline."""
        matched = self.matched_rules
        if matched:
            names = ", ".join(f"'{t.name}'" for t in matched)
            why = f"Rule {names} matched" if len(matched) == 1 else f"Rules {names} matched"
        elif self.rules:
            why = "No rule matched"
        else:
            why = "No rules applied"
        parts = [
            f"{why}; department {self.department_name or self.department_id} ({self.department_reason})."
        ]
        if self.agent_id is not None:
            how = f" ({self.tie_break})" if self.tie_break else ""
            parts.append(f"Assigned to {self.agent_name or self.agent_id}{how}.")
        else:
            parts.append(f"Queued: {self.tie_break or 'no agent available'}.")
        if self.filtered_out:
            shown = ", ".join(f"{e.name} ({e.reason})" for e in self.filtered_out[:5])
            more = f" and {len(self.filtered_out) - 5} more" if len(self.filtered_out) > 5 else ""
            parts.append(f"Filtered out: {shown}{more}.")
        if self.fallback:
            parts.append(self.fallback[0].upper() + self.fallback[1:] + ".")
        if self.autoreply:
            parts.append(self.autoreply[0].upper() + self.autoreply[1:] + ".")
        parts.append(f"Rules version {self.rules_version}.")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Decision:
    department_id: str
    agent_id: str | None  # None: the conversation waits in the department's queue
    priority: Priority
    labels: frozenset[str]
    strategy: Strategy
    actions: tuple[DecisionAction, ...]
    explanation: Explanation
    # The hub claims agent_id with a conditional update (open_count < capacity); when another event won
    # the race it tries the next id here, so two simultaneous events never overfill an agent.
    ranked_agent_ids: tuple[str, ...] = ()
    required_language: str | None = None
    required_skills: frozenset[str] = frozenset()
    department_open: bool = True
    opens_at: datetime | None = None  # next opening when closed, for "we'll reply at 9:00" templates

    @property
    def queued(self) -> bool:
        return self.agent_id is None

    def as_dict(self, agent_limit: int = 50) -> dict[str, Any]:
        """What the hub stores on the conversation (`routing`) and returns from the explain API."""
        actions: list[dict[str, Any]] = [
            {"type": "autoreply", "template": a.template, "out_of_hours": a.out_of_hours}
            if isinstance(a, SendAutoReply)
            else {"type": "notify", "to": a.to, "message": a.message}
            for a in self.actions
        ]
        return {
            "department_id": self.department_id,
            "agent_id": self.agent_id,
            "priority": self.priority,
            "labels": sorted(self.labels),
            "strategy": self.strategy,
            "actions": actions,
            "ranked_agent_ids": list(self.ranked_agent_ids[:agent_limit]),
            "required_language": self.required_language,
            "required_skills": sorted(self.required_skills),
            "department_open": self.department_open,
            "opens_at": None if self.opens_at is None else self.opens_at.isoformat(),
            "explanation": self.explanation.as_dict(agent_limit),
        }


def human_duration(seconds: float) -> str:
    """ "42s", "5m", "2h 5m", "3d 4h": readable in a timeline, exact enough for a person."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total}s"
    minutes, _ = divmod(total, 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"
