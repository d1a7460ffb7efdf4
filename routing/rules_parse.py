"""The validating parser for a rule's `when` (conditions) and `then` (actions).

Problems go to a `complain(path, message)` callback instead of raising, so one pass over a file reports
every mistake in it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date

from routing.conditions import KNOWN_FIELDS, LIST_OPS, condition_problems, default_op, ops_for
from routing.model import (
    PRIORITIES,
    STRATEGIES,
    AddLabels,
    AllOf,
    AnyOf,
    AssignAgent,
    AutoReply,
    Condition,
    ConditionNode,
    ConditionValue,
    Not,
    Notify,
    RequireSkills,
    RuleAction,
    ScalarValue,
    SetDepartment,
    SetPriority,
    SetStrategy,
)

ACTION_KEYS = (
    "set_department",
    "set_priority",
    "add_labels",
    "autoreply",
    "strategy",
    "notify",
    "require_skills",
    "assign_agent",
)
_GROUPS = ("any", "all", "not")

Complain = Callable[[str, str], None]


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def type_name(value: object) -> str:
    return {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list"}.get(
        type(value), "a mapping" if isinstance(value, Mapping) else type(value).__name__
    )


def _scalar(value: object) -> ScalarValue | None:
    if isinstance(value, date):
        return value.isoformat()  # YAML turns 2025-01-01 into a date; the rule meant the text
    if isinstance(value, str | int | float | bool):
        return value
    return None


def _value(op: str, operand: object) -> tuple[ConditionValue, str | None]:
    """The operand as a condition value, or why it cannot be one."""
    if isinstance(operand, list | tuple):
        items = [_scalar(item) for item in operand]
        clean = tuple(item for item in items if item is not None)
        if len(clean) != len(items):
            return None, "list items must be text, numbers or true/false"
        return clean, None
    if operand is None:
        return None, "a value is missing"
    scalar = _scalar(operand)
    if scalar is None:
        return None, f"expected text, a number, true/false or a list, got {type_name(operand)}"
    return ((scalar,) if op in LIST_OPS else scalar), None


def _condition(field: str, op: str, operand: object, path: str, bad: Complain) -> Condition | None:
    ops = ops_for(field) or frozenset()
    if op not in ops:
        bad(
            path,
            f"unknown operator '{op}' for '{field}'{suggest(op, ops)}; use one of: {', '.join(sorted(ops))}",
        )
        return None
    value, error = _value(op, operand)
    if error is not None:
        bad(path, f"wrong type: {error}")
        return None
    condition = Condition(field, op, value)
    problems = condition_problems(condition)
    for problem in problems:
        bad(path, problem)
    return None if problems else condition


def parse_conditions(raw: object, path: str, bad: Complain) -> list[ConditionNode]:
    if isinstance(raw, Mapping):
        return _group(raw, path, bad)
    if not isinstance(raw, list):
        bad(path, f"expected a list of conditions, got {type_name(raw)}")
        return []
    nodes: list[ConditionNode] = []
    for index, item in enumerate(raw):
        nodes.extend(_group(item, f"{path}[{index}]", bad))
    return nodes


def _group(item: object, path: str, bad: Complain) -> list[ConditionNode]:
    if not isinstance(item, Mapping):
        bad(path, f"a condition looks like 'channel: whatsapp' or 'text: {{regex: ...}}', got {item!r}")
        return []
    nodes = [_entry(str(key), value, f"{path}.{key}", bad) for key, value in item.items()]
    return [node for node in nodes if node is not None]


def _entry(key: str, value: object, path: str, bad: Complain) -> ConditionNode | None:
    if key in _GROUPS:
        children = parse_conditions(value, path, bad)
        if not children:
            bad(path, f"'{key}' needs at least one condition")
            return None
        if key == "not":
            return Not(children[0] if len(children) == 1 else AllOf(tuple(children)))
        return AnyOf(tuple(children)) if key == "any" else AllOf(tuple(children))
    if ops_for(key) is None:
        bad(path, f"unknown condition field '{key}'{suggest(key, (*KNOWN_FIELDS, *_GROUPS))}")
        return None
    if not isinstance(value, Mapping):
        return _condition(key, default_op(key, isinstance(value, list)), value, path, bad)
    if not value:
        bad(path, "an empty mapping: give an operator such as {eq: ...}")
        return None
    parts = [_condition(key, str(op), operand, f"{path}.{op}", bad) for op, operand in value.items()]
    found = [part for part in parts if part is not None]
    if len(found) != len(parts):
        return None
    return found[0] if len(found) == 1 else AllOf(tuple(found))


def _names(value: object, path: str, bad: Complain, what: str) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) and v.strip() for v in items):
        bad(path, f"expected {what} as text or a list of text, got {value!r}")
        return None
    return tuple(str(v).strip() for v in items)


def _text(value: object, path: str, bad: Complain, what: str) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    bad(path, f"expected {what} as text, got {type_name(value) if value is not None else 'nothing'}")
    return None


def _action(
    key: str,
    value: object,
    path: str,
    bad: Complain,
    department_ids: Collection[str] | None,
    agent_ids: Collection[str] | None,
) -> RuleAction | None:
    if key == "set_department":
        department = _text(value, path, bad, "a department id")
        if department is not None and department_ids is not None and department not in department_ids:
            known = ", ".join(sorted(department_ids)) or "none yet"
            bad(path, f"unknown department '{department}' (known: {known})")
            return None
        return None if department is None else SetDepartment(department)
    if key == "set_priority":
        priority = next((p for p in PRIORITIES if p == value), None)
        if priority is None:
            bad(path, f"unknown priority {value!r} (use one of: {', '.join(PRIORITIES)})")
            return None
        return SetPriority(priority)
    if key in ("add_labels", "require_skills"):
        names = _names(value, path, bad, "labels" if key == "add_labels" else "skills")
        if names is None:
            return None
        return AddLabels(names) if key == "add_labels" else RequireSkills(names)
    if key == "autoreply":
        template = _text(value, path, bad, "a template name")
        return None if template is None else AutoReply(template)
    if key == "strategy":
        strategy = next((s for s in STRATEGIES if s == value), None)
        if strategy is None:
            bad(path, f"unknown strategy {value!r} (use one of: {', '.join(STRATEGIES)})")
            return None
        return SetStrategy(strategy)
    if key == "notify":
        raw = value if isinstance(value, Mapping) else {"to": value}
        extra = set(raw) - {"to", "message"}
        if extra:
            bad(path, f"unknown key '{sorted(extra)[0]}' (notify takes 'to' and 'message')")
        target = _text(
            raw.get("to"), f"{path}.to", bad, "who to notify (lead, department, assignee or a user id)"
        )
        message = raw.get("message", "")
        if not isinstance(message, str):
            bad(f"{path}.message", f"expected text, got {type_name(message)}")
            return None
        return None if target is None or extra else Notify(target, message)
    if key == "assign_agent":
        agent = _text(value, path, bad, "an agent id")
        if agent is not None and agent_ids is not None and agent not in agent_ids:
            bad(path, f"unknown agent '{agent}'")
            return None
        return None if agent is None else AssignAgent(agent)
    bad(path, f"unknown action '{key}'{suggest(key, ACTION_KEYS)}; actions are: {', '.join(ACTION_KEYS)}")
    return None


def parse_actions(
    raw: object, bad: Complain, department_ids: Collection[str] | None, agent_ids: Collection[str] | None
) -> tuple[RuleAction, ...]:
    if raw is None:
        bad("then", "missing: a rule needs 'then' with its actions (an empty list stops later rules)")
        return ()
    entries: list[tuple[str, object, str]] = []
    if isinstance(raw, Mapping):
        entries = [(str(k), v, f"then.{k}") for k, v in raw.items()]
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            if not isinstance(item, Mapping) or len(item) != 1:
                bad(
                    f"then[{index}]",
                    f"an action is one 'name: value' pair such as 'set_priority: high', got {item!r}",
                )
                continue
            ((key, value),) = item.items()
            entries.append((str(key), value, f"then[{index}].{key}"))
    else:
        bad("then", f"expected a list of actions, got {type_name(raw)}")
    found = [_action(key, value, path, bad, department_ids, agent_ids) for key, value, path in entries]
    return tuple(action for action in found if action is not None)
