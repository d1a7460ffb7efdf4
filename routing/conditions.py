"""Rule conditions: what each field means, which operators apply, and why a condition held or not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from routing.hours import is_open
from routing.model import (
    PRIORITIES,
    AllOf,
    AnyOf,
    Condition,
    ConditionNode,
    ContactSnapshot,
    ConversationSnapshot,
    Department,
    Not,
    RoutingEvent,
    ScalarValue,
    priority_rank,
)
from routing.text import REGEX_TEXT_LIMIT, compile_regex, fold, keyword_core, keyword_pattern, normalize_text

# ---------------------------------------------------------------------------------------------------------
# Fields and operators

_SCALAR = frozenset({"eq", "ne", "in", "not_in"})
_SETS = frozenset({"contains", "any", "all", "none"})
_ORDERED = frozenset({"gt", "gte", "lt", "lte"})
FIELD_OPS: Mapping[str, frozenset[str]] = {
    "channel": _SCALAR,
    "event": _SCALAR,
    "status": _SCALAR,
    "language": _SCALAR | {"exists"},
    "source": _SCALAR | {"contains", "regex", "exists"},
    "priority": _SCALAR | _ORDERED,
    "text": frozenset({"keywords", "contains", "regex"}),
    "tags": _SETS,
    "labels": _SETS,
    "vip": frozenset({"is"}),
    "business_hours": frozenset({"eq"}),
}
ATTRIBUTE_PREFIX = "attributes."
HOURS_PREFIX = "business_hours."
ATTRIBUTE_OPS = _SCALAR | _ORDERED | {"contains", "exists"}
LIST_OPS = frozenset({"in", "not_in", "any", "all", "none", "keywords"})
BOOL_OPS = frozenset({"is", "exists"})
KNOWN_FIELDS = (*FIELD_OPS, ATTRIBUTE_PREFIX + "<name>", HOURS_PREFIX + "<department id>")


def ops_for(field: str) -> frozenset[str] | None:
    if field.startswith(ATTRIBUTE_PREFIX) and len(field) > len(ATTRIBUTE_PREFIX):
        return ATTRIBUTE_OPS
    if field.startswith(HOURS_PREFIX) and len(field) > len(HOURS_PREFIX):
        return FIELD_OPS["business_hours"]
    return FIELD_OPS.get(field)


def default_op(field: str, is_list: bool) -> str:
    """The operator meant by shorthand such as `channel: whatsapp` or `tags: [a, b]`."""
    ops = ops_for(field) or frozenset()
    if "keywords" in ops:
        return "keywords"
    if "is" in ops:
        return "is"
    if "any" in ops:
        return "any" if is_list else "contains"
    return "in" if is_list else "eq"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def condition_problems(condition: Condition) -> list[str]:
    """Why a condition can never work as written; empty when it is fine."""
    field, op, value = condition.field, condition.op, condition.value
    ops = ops_for(field)
    if ops is None:
        return [f"unknown condition field '{field}'"]
    if op not in ops:
        return [f"operator '{op}' does not apply to '{field}' (use one of: {', '.join(sorted(ops))})"]
    attribute = field.startswith(ATTRIBUTE_PREFIX)
    if op in BOOL_OPS:
        return [] if isinstance(value, bool) else [f"'{op}' needs true or false, got {value!r}"]
    if op in LIST_OPS:
        if not isinstance(value, tuple) or not value:
            return [f"'{op}' needs a non-empty list, got {value!r}"]
        items = value
    elif isinstance(value, tuple):
        return [f"'{op}' needs a single value, got a list"]
    else:
        items = (value,) if value is not None else ()
        if value is None:
            return [f"'{op}' needs a value"]
    problems: list[str] = []
    for item in items:
        if op in _ORDERED and attribute and not _is_number(item):
            problems.append(f"'{op}' needs a number, got {item!r}")
        elif not attribute and not isinstance(item, str):
            problems.append(f"'{op}' needs text, got {item!r}")
        elif attribute and item is None:
            problems.append(f"'{op}' needs a value")
    if problems:
        return problems
    if field == "priority":
        problems += [
            f"unknown priority {v!r} (use one of: {', '.join(PRIORITIES)})"
            for v in items
            if v not in PRIORITIES
        ]
    elif field == "business_hours" or field.startswith(HOURS_PREFIX):
        problems += [f"business hours are 'in' or 'out', got {v!r}" for v in items if v not in ("in", "out")]
    elif op == "keywords":
        problems += ["a keyword is empty" for v in items if not normalize_text(str(v)).strip("* ")]
    elif op == "regex":
        try:
            compile_regex(str(value))
        except re.error as exc:
            problems.append(f"bad regular expression {value!r}: {exc}")
    return problems


# ---------------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a condition may look at; text is normalized once per decision, not once per rule."""

    event: RoutingEvent
    conversation: ConversationSnapshot
    contact: ContactSnapshot
    now: datetime
    departments: Mapping[str, Department]
    department: Department | None  # the department chosen so far, for `business_hours`
    text: str
    folded_text: str

    @classmethod
    def gather(
        cls,
        event: RoutingEvent,
        conversation: ConversationSnapshot,
        contact: ContactSnapshot,
        now: datetime,
        departments: Mapping[str, Department],
        department: Department | None,
    ) -> Facts:
        text, folded = normalize_text(event.text), fold(event.text[:REGEX_TEXT_LIMIT])
        return cls(event, conversation, contact, now, departments, department, text, folded)


@dataclass(frozen=True, slots=True)
class Verdict:
    matched: bool
    reason: str


def _show(value: object) -> str:
    if isinstance(value, tuple | list | frozenset | set):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _same(actual: object, expected: object) -> bool:
    if _is_number(actual) and _is_number(expected):
        return actual == expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return normalize_text(str(actual)) == normalize_text(str(expected))


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _compare(label: str, actual: object, op: str, expected: object) -> Verdict:
    shown = _show(actual)
    if op == "exists":
        present = actual is not None
        return Verdict(present is expected, f"{label} is {'set' if present else 'not set'}")
    if op in ("eq", "ne"):
        hit = actual is not None and _same(actual, expected)
        says = f"{label} is {shown}" if hit else f"{label} is {shown}, not {_show(expected)}"
        if actual is None:
            says = f"{label} is not set"
        return Verdict(hit == (op == "eq"), says)
    if op in ("in", "not_in"):
        values = expected if isinstance(expected, tuple) else (expected,)
        hit = actual is not None and any(_same(actual, v) for v in values)
        return Verdict(
            hit == (op == "in"), f"{label} {shown} is {'' if hit else 'not '}one of {_show(values)}"
        )
    if op == "contains":
        if isinstance(actual, list | tuple | frozenset | set):
            hit = any(_same(item, expected) for item in actual)
        else:
            hit = actual is not None and normalize_text(str(expected)) in normalize_text(str(actual))
        return Verdict(hit, f"{label} {'contains' if hit else 'does not contain'} {_show(expected)}")
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        return Verdict(False, f"{label} is {shown}, not a number")
    hit = {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]
    symbol = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return Verdict(hit, f"{label} is {shown} ({'' if hit else 'not '}{symbol} {_show(expected)})")


def _set_verdict(label: str, have: frozenset[str], op: str, value: object) -> Verdict:
    wanted = {v.casefold() for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, str)}
    present = {v.casefold() for v in have}
    common = sorted(wanted & present)
    if op == "all":
        missing = sorted(wanted - present)
        says = f"{label} lacks {_show(tuple(missing))}" if missing else f"{label} has all of them"
        return Verdict(not missing, says)
    hit = bool(common)
    if op == "none":
        return Verdict(not hit, f"{label} has {_show(tuple(common))}" if hit else f"{label} has none of them")
    return Verdict(
        hit, f"{label} has {_show(tuple(common))}" if hit else f"{label} lacks {_show(tuple(sorted(wanted)))}"
    )


def _text_verdict(condition: Condition, facts: Facts) -> Verdict:
    if condition.op == "regex":
        match = compile_regex(str(condition.value)).search(facts.folded_text)
        pattern = f"/{condition.value}/"
        return (
            Verdict(True, f"text matches {pattern} ('{match.group(0)}')")
            if match
            else Verdict(False, f"text does not match {pattern}")
        )
    if condition.op == "contains":
        needle = keyword_core(str(condition.value), strip_star=False)
        hit = bool(needle) and needle in facts.text
        return Verdict(hit, f"text {'contains' if hit else 'does not contain'} '{condition.value}'")
    keywords = condition.value if isinstance(condition.value, tuple) else (condition.value,)
    for keyword in keywords:
        # Every match contains the bare word, so a substring test rules most rules out before any regex.
        if keyword_core(str(keyword)) in facts.text and keyword_pattern(str(keyword)).search(facts.text):
            return Verdict(True, f"text has keyword '{keyword}'")
    return Verdict(False, f"text has none of the keywords {_show_keywords(keywords)}")


@lru_cache(maxsize=2048)
def _show_keywords(keywords: tuple[ScalarValue, ...]) -> str:
    return _show(keywords)


def _hours_verdict(condition: Condition, facts: Facts) -> Verdict:
    if condition.field.startswith(HOURS_PREFIX):
        wanted_id = condition.field[len(HOURS_PREFIX) :]
        department = facts.departments.get(wanted_id)
        name = department.label if department else wanted_id
    else:
        department = facts.department
        name = department.label if department else "the department"
    state = "in" if is_open(department, facts.now) else "out"
    return Verdict(
        state == condition.value, f"{name} is {'in' if state == 'in' else 'out of'} business hours"
    )


def _evaluate_condition(condition: Condition, facts: Facts) -> Verdict:
    field, op, value = condition.field, condition.op, condition.value
    event, conversation, contact = facts.event, facts.conversation, facts.contact
    if field == "text":
        return _text_verdict(condition, facts)
    if field == "business_hours" or field.startswith(HOURS_PREFIX):
        return _hours_verdict(condition, facts)
    if field == "vip":
        return Verdict(contact.vip is value, f"contact is {'' if contact.vip else 'not '}VIP")
    if field in ("tags", "labels"):
        have = contact.tags if field == "tags" else conversation.labels
        return _set_verdict("contact" if field == "tags" else "conversation", have, op, value)
    if field.startswith(ATTRIBUTE_PREFIX):
        name = field[len(ATTRIBUTE_PREFIX) :]
        attribute = contact.attributes.get(name)
        if attribute is None and op not in ("exists", "ne", "not_in"):
            return Verdict(False, f"contact has no attribute '{name}'")
        return _compare(f"attribute {name}", attribute, op, value)
    if field == "priority":
        if op in _ORDERED:
            return _compare(
                "priority rank", priority_rank(conversation.priority), op, priority_rank(str(value))
            )
        return _compare("priority", conversation.priority, op, value)
    actual: str | None = {
        "channel": event.channel,
        "event": event.kind,
        "status": conversation.status,
        "language": event.language or contact.language,
        "source": event.source or contact.source,
    }[field]
    if op == "regex":
        found = actual is not None and compile_regex(str(value)).search(actual) is not None
        return Verdict(found, f"{field} {_show(actual)} {'matches' if found else 'does not match'} /{value}/")
    return _compare(field, actual, op, value)


def evaluate(node: ConditionNode, facts: Facts) -> Verdict:
    if isinstance(node, Condition):
        return _evaluate_condition(node, facts)
    if isinstance(node, Not):
        inner = evaluate(node.condition, facts)
        return Verdict(not inner.matched, f"not ({inner.reason})")
    verdicts = []
    for child in node.conditions:
        verdict = evaluate(child, facts)
        if isinstance(node, AnyOf) and verdict.matched:
            return verdict
        if isinstance(node, AllOf) and not verdict.matched:
            return verdict
        verdicts.append(verdict)
    if isinstance(node, AnyOf):
        return Verdict(False, "none of: " + "; ".join(v.reason for v in verdicts))
    return Verdict(True, "; ".join(v.reason for v in verdicts) or "no conditions")


def evaluate_all(nodes: tuple[ConditionNode, ...], facts: Facts) -> Verdict:
    if not nodes:
        return Verdict(True, "no conditions: matches every conversation")
    return evaluate(AllOf(nodes), facts)
