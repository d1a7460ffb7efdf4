"""One human line for a timeline event: who moved the conversation where, and the short reason why.

An event's stored `text` is the engineer's record (rule versions, scores, "not connected"); the page
shows it only behind "why". The line is built from the event's `data` (and the routing decision inside
it) as phrases, each a translatable sentence with named values, joined by " — " in the template:
"Routed to Support — no rule matched — waiting for an agent", "Assigned to Ana — least busy in Support".
None when the data does not say enough: the page then prints the stored text, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from inbox_ui.filters import instant_token
from inbox_ui.terms import N_
from inbox_ui.view_models._parts import Fields, items, mapping, text_or_none


@dataclass(frozen=True)
class Phrase:
    """A sentence for `_()`: its msgid and the values it names ({department}, {agent}, {actor}, {rule}).

    `instants` are values that are moments ({until}): the page shows them as `<time>` in the viewer's own
    zone and calendar (the `with_times` filter puts them where the translated sentence has the token)."""

    text: str
    values: dict[str, str] = field(default_factory=dict)
    instants: dict[str, datetime] = field(default_factory=dict)


def timed(text: str, values: dict[str, str], instants: dict[str, datetime]) -> Phrase:
    return Phrase(text, {**values, **{name: instant_token(name) for name in instants}}, instants)


Line = tuple[Phrase, ...]


@dataclass(frozen=True)
class Names:
    """Who and what the ids in events name (departments and people), as the page loaded them."""

    departments: Mapping[Any, str] = field(default_factory=dict)
    people: Mapping[Any, str] = field(default_factory=dict)

    @staticmethod
    def of(departments: Mapping[Any, Fields], people: Mapping[Any, Fields]) -> Names:
        return Names({k: str(d.get("name") or "") for k, d in departments.items()},
                     {k: str(p.get("name") or "") for k, p in people.items()})


# How routing chose the agent, read from the explanation's tie break (routing/assignment.py words it).
_HOW: tuple[tuple[str, str], ...] = (
    ("balanced:", N_("least busy in {department}")),
    ("round robin:", N_("next in turn in {department}")),
    ("only available candidate", N_("the only one available in {department}")),
    ("sticky:", N_("their previous agent")),
    ("rule named this agent", N_("named by a rule")),
)


def _rule_phrase(explanation: Fields) -> Phrase | None:
    rules = [r for r in items(explanation.get("rules")) if isinstance(r, Mapping)]
    matched = [str(r.get("name") or "") for r in rules if r.get("outcome") == "matched"]
    if len(matched) == 1:
        return Phrase(N_("rule “{rule}” matched"), {"rule": matched[0]})
    if matched:
        return Phrase(N_("rules {rules} matched"), {"rules": ", ".join(f"“{m}”" for m in matched)})
    return Phrase(N_("no rule matched")) if rules else None


def _waiting(tie_break: str, department: str) -> Phrase:
    if "assigns by hand" in tie_break:
        return Phrase(N_("waiting for a lead to assign it"))
    if tie_break.endswith("has no agents"):
        return Phrase(N_("nobody works in {department} yet"), {"department": department})
    return Phrase(N_("waiting for an agent"))


def routing_line(decision: Fields, by: str | None = None) -> Line | None:
    """A routing decision (routing/decision.py Decision.as_dict) as one line."""
    explanation = mapping(decision.get("explanation"))
    department = text_or_none(mapping(explanation.get("department")).get("name"))
    if department is None:
        return None  # an old or fallback record holding only a summary
    agent = text_or_none(mapping(explanation.get("agent")).get("name"))
    tie_break = str(explanation.get("tie_break") or "")
    rule = _rule_phrase(explanation)
    phrases: list[Phrase] = [Phrase(N_("After the SLA breach"))] if by == "sla" else []
    if tie_break == "routing error":
        return (*phrases, Phrase(N_("Routing failed")),
                Phrase(N_("waiting in the {department} queue"), {"department": department}))
    if agent is not None:
        if tie_break.startswith("already assigned"):
            return (*phrases, Phrase(N_("Stays with {agent}"), {"agent": agent}),
                    Phrase(N_("in {department}"), {"department": department}))
        phrases.append(Phrase(N_("Assigned to {agent}"), {"agent": agent}))
        if rule is not None and rule.text != N_("no rule matched"):
            phrases.append(rule)
        how = next((text for prefix, text in _HOW if tie_break.startswith(prefix)), N_("in {department}"))
        phrases.append(Phrase(how, {"department": department}))
        return tuple(phrases)
    phrases.append(Phrase(N_("Routed to {department}"), {"department": department}))
    if rule is not None:
        phrases.append(rule)
    if decision.get("department_open") is False:
        phrases.append(Phrase(N_("outside business hours")))
    phrases.append(_waiting(tie_break, department))
    return tuple(phrases)


def _transfer(data: Fields, actor: str | None, names: Names) -> Line | None:
    decision = mapping(data.get("decision"))
    department = (names.departments.get(data.get("to_department"))
                  or text_or_none(mapping(mapping(decision.get("explanation")).get("department")).get("name")))
    if actor is None or not department:
        return None
    head = Phrase(N_("{actor} transferred this to {department}"), {"actor": actor, "department": department})
    assignee = data.get("to_assignee")
    if assignee is None:
        return head, Phrase(N_("waiting for an agent"))
    agent = names.people.get(assignee) or text_or_none(
        mapping(mapping(decision.get("explanation")).get("agent")).get("name"))
    return (head, Phrase(N_("assigned to {agent}"), {"agent": agent})) if agent else None


def _assignment(data: Fields, actor: str | None, names: Names) -> Line | None:
    by, assignee = data.get("by"), data.get("assignee_id")
    agent = names.people.get(assignee) if assignee is not None else None
    if by == "routing" and agent:
        return Phrase(N_("Assigned to {agent}"), {"agent": agent}), Phrase(N_("their capacity freed up"))
    if by == "sla":
        return (Phrase(N_("After the SLA breach")),
                Phrase(N_("nobody else can take it now, so it stays with its agent")))
    if actor is None:
        return None
    if assignee is None:
        return (Phrase(N_("{actor} unassigned this"), {"actor": actor}),)
    return (Phrase(N_("{actor} assigned this to {agent}"), {"actor": actor, "agent": agent}),) if agent else None


def _rating(data: Fields, _actor: str | None, _names: Names) -> Line | None:
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool):
        return None
    head = Phrase(N_("The customer rated this conversation {score} of 5"), {"score": str(score)})
    comment = text_or_none(data.get("comment"))
    return (head, Phrase(N_("“{comment}”"), {"comment": comment})) if comment else (head,)


def _rating_comment(data: Fields, _actor: str | None, _names: Names) -> Line | None:
    comment = (text_or_none(data.get("comment")) or "").strip()
    if not comment:
        return None
    return (Phrase(N_("The customer commented on their rating"), {}), Phrase(N_("“{comment}”"), {"comment": comment}))


_STATUS_BY: dict[str, str] = {
    "resolved": N_("{actor} resolved this"),
    "open": N_("{actor} reopened this"),
    "pending": N_("{actor} marked this pending"),
    "snoozed": N_("{actor} snoozed this"),
}
_PRIORITY_BY: dict[str, str] = {
    "low": N_("{actor} set the priority to low"),
    "normal": N_("{actor} set the priority to normal"),
    "high": N_("{actor} set the priority to high"),
    "urgent": N_("{actor} set the priority to urgent"),
}


def _status(data: Fields, actor: str | None, _names: Names) -> Line | None:
    status = str(data.get("status") or "")
    if data.get("by") == "snooze" and status == "open":
        return (Phrase(N_("The snooze ended; the conversation is open again")),)
    until = data.get("until")
    if status == "snoozed" and actor is not None and isinstance(until, datetime):
        return (timed(N_("{actor} snoozed this until {until}"), {"actor": actor}, {"until": until}),)
    text = _STATUS_BY.get(status)
    return (Phrase(text, {"actor": actor}),) if text is not None and actor is not None else None


def _priority(data: Fields, actor: str | None, _names: Names) -> Line | None:
    text = _PRIORITY_BY.get(str(data.get("priority") or ""))
    return (Phrase(text, {"actor": actor}),) if text is not None and actor is not None else None


def _claim(data: Fields, actor: str | None, _names: Names) -> Line | None:
    value = text_or_none(data.get("value"))
    if actor is None or value is None:
        return None
    if data.get("type") == "claim_merged":
        return (Phrase(N_("{actor} merged this customer into the contact who is {value}"),
                       {"actor": actor, "value": value}),)
    return (Phrase(N_("{actor} verified that this customer is {value}"), {"actor": actor, "value": value}),)


_SLA_TARGETS = {"first_response": N_("SLA breach: no first reply in time"),
                "resolution": N_("SLA breach: not resolved in time")}


def _sla_breach(data: Fields, _actor: str | None, _names: Names) -> Line | None:
    text = _SLA_TARGETS.get(str(data.get("target") or ""))
    if text is None:
        return None
    return (Phrase(text), Phrase(N_("the team lead was notified"))) if data.get("notified") else (Phrase(text),)


def _autoreply(data: Fields, _actor: str | None, _names: Names) -> Line | None:
    return (Phrase(N_("Auto-reply not sent")),) if data.get("sent") is False else None


def _greeting(data: Fields, _actor: str | None, _names: Names) -> Line | None:
    """The website chat's greeting the visitor saw above their first message (hub/webchat_prechat.py)."""
    text = text_or_none(data.get("text"))
    return (Phrase(N_("The chat greeted the visitor")), Phrase(N_("“{comment}”"), {"comment": text})) if text else None


_BY_TYPE: dict[str, Callable[[Fields, str | None, Names], Line | None]] = {
    "routing": lambda data, _actor, _names: routing_line(mapping(data.get("decision")), text_or_none(data.get("by"))),
    "transfer": _transfer,
    "assignment": _assignment,
    "rating": _rating,
    "rating_comment": _rating_comment,
    "status": _status,
    "priority": _priority,
    "reopened": lambda _data, _actor, _names: (Phrase(N_("Reopened by the customer's reply")),),
    "claim_verified": _claim,
    "claim_merged": _claim,
    "sla_breach": _sla_breach,
    "autoreply": _autoreply,
    "greeting": _greeting,
}
# Events whose stored record says more than their line (scores, rule versions, the provider's reason): the
# page keeps it behind "Why?". The others' record is their line in English and is not shown again.
RECORD_SHOWN = frozenset({"routing", "transfer", "assignment", "sla_breach", "autoreply"})


def event_line(data: Fields, actor: str | None, names: Names) -> Line | None:
    build = _BY_TYPE.get(str(data.get("type") or ""))
    return build(data, actor, names) if build else None


def assignee_ids(events: list[Fields]) -> set[Any]:
    """The people the events' lines name by id (for one lookup before the timeline is built)."""
    found: set[Any] = set()
    for event in events:
        data = mapping(event.get("data"))
        for key in ("assignee_id", "to_assignee"):
            if data.get(key) is not None:
                found.add(data[key])
    return found
