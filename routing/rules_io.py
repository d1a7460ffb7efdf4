"""Rules to and from YAML (admin import and export) and plain dicts (MongoDB documents).

Every problem is collected before raising, each pointing at the rule by name and position and at the
field, so an admin fixes a whole file in one pass.

    - name: Billing words go to Billing
      when:
        - text: [invoice, refund, فاتورة, فاکتور]      # shorthand for {keywords: [...]}
        - channel: {in: [whatsapp, sms, email]}
      then:
        - set_department: billing
        - add_labels: [billing]
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import yaml

from routing.errors import RuleValidationError
from routing.model import (
    AddLabels,
    AnyOf,
    AssignAgent,
    AutoReply,
    Condition,
    ConditionNode,
    Not,
    Notify,
    RequireSkills,
    Rule,
    RuleAction,
    SetDepartment,
    SetPriority,
    SetStrategy,
)
from routing.rules_parse import parse_actions, parse_conditions, suggest, type_name

RULE_KEYS = ("id", "name", "description", "order", "enabled", "when", "then", "continue")


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.casefold()).strip("-")


def _parse_rule(
    raw: object,
    position: int,
    problems: list[str],
    department_ids: Collection[str] | None,
    agent_ids: Collection[str] | None,
) -> Rule | None:
    if not isinstance(raw, Mapping):
        problems.append(
            f"rule #{position}: expected a mapping with name, when and then, got {type_name(raw)}"
        )
        return None
    name = raw.get("name")
    label = f'rule "{name}" (#{position})' if isinstance(name, str) and name.strip() else f"rule #{position}"
    before = len(problems)

    def bad(path: str, message: str) -> None:
        problems.append(f"{label}, {path}: {message}")

    for key in raw:
        if key not in RULE_KEYS:
            bad(str(key), f"unknown key{suggest(str(key), RULE_KEYS)}; rule keys are: {', '.join(RULE_KEYS)}")
    if isinstance(name, bool):
        bad("name", f"got {str(name).lower()}: YAML reads yes/no/on/off as true/false, so quote the name")
        name = ""
    elif not isinstance(name, str) or not name.strip():
        bad("name", "missing: every rule needs a name people can read")
        name = ""
    rule_id = raw.get("id", _slug(name) or f"rule-{position}")
    if not isinstance(rule_id, str) or not rule_id.strip():
        bad("id", f"expected text, got {rule_id!r}")
    order = raw.get("order", position * 10)
    if not isinstance(order, int) or isinstance(order, bool):
        bad("order", f"expected a whole number, got {order!r}")
    flags = {key: raw.get(key, key == "enabled") for key in ("enabled", "continue")}
    for key, flag in flags.items():
        if not isinstance(flag, bool):
            bad(key, f"expected true or false, got {flag!r}")
    description = raw.get("description", "")
    if not isinstance(description, str):
        bad("description", f"expected text, got {type_name(description)}")
    when = raw.get("when")
    conditions = () if when is None else tuple(parse_conditions(when, "when", bad))
    actions = parse_actions(raw.get("then"), bad, department_ids, agent_ids)
    if len(problems) != before:
        return None
    return Rule(
        str(rule_id).strip(),
        name.strip(),
        int(order),
        bool(flags["enabled"]),
        conditions,
        actions,
        bool(flags["continue"]),
        str(description),
    )


def rules_from_dicts(
    items: object,
    *,
    department_ids: Collection[str] | None = None,
    agent_ids: Collection[str] | None = None,
) -> tuple[Rule, ...]:
    """Build rules from plain data (MongoDB documents or parsed YAML). Raises RuleValidationError.

    Pass the ids that exist to have references to deleted departments and agents reported too.
    """
    if not isinstance(items, list | tuple):
        raise RuleValidationError([f"rules: expected a list of rules, got {type_name(items)}"])
    problems: list[str] = []
    rules: list[Rule] = []
    first_seen: dict[tuple[str, str], str] = {}
    for position, raw in enumerate(items, start=1):
        rule = _parse_rule(raw, position, problems, department_ids, agent_ids)
        if rule is None:
            continue
        here = f'rule "{rule.name}" (#{position})'
        for kind, key in (("id", rule.id), ("name", rule.name.casefold())):
            owner = first_seen.setdefault((kind, key), here)
            if owner != here:
                problems.append(f"{here}, {kind}: '{key}' is already used by {owner}")
                break  # an id derived from a clashing name would only say the same thing twice
        rules.append(rule)
    if problems:
        raise RuleValidationError(problems)
    return tuple(rules)


def rule_from_dict(
    raw: Mapping[str, Any],
    *,
    department_ids: Collection[str] | None = None,
    agent_ids: Collection[str] | None = None,
) -> Rule:
    return rules_from_dicts([raw], department_ids=department_ids, agent_ids=agent_ids)[0]


def _node_dict(node: ConditionNode) -> dict[str, Any]:
    if isinstance(node, Condition):
        value = list(node.value) if isinstance(node.value, tuple) else node.value
        return {node.field: {node.op: value}}
    if isinstance(node, Not):
        return {"not": [_node_dict(node.condition)]}
    return {"any" if isinstance(node, AnyOf) else "all": [_node_dict(child) for child in node.conditions]}


def _action_dict(action: RuleAction) -> dict[str, Any]:
    if isinstance(action, SetDepartment):
        return {"set_department": action.department_id}
    if isinstance(action, SetPriority):
        return {"set_priority": action.priority}
    if isinstance(action, AddLabels):
        return {"add_labels": list(action.labels)}
    if isinstance(action, AutoReply):
        return {"autoreply": action.template}
    if isinstance(action, SetStrategy):
        return {"strategy": action.strategy}
    if isinstance(action, Notify):
        return {"notify": {"to": action.to, "message": action.message} if action.message else action.to}
    if isinstance(action, RequireSkills):
        return {"require_skills": list(action.skills)}
    return {"assign_agent": action.agent_id}


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    out: dict[str, Any] = {"id": rule.id, "name": rule.name}
    if rule.description:
        out["description"] = rule.description
    out |= {
        "order": rule.order,
        "enabled": rule.enabled,
        "when": [_node_dict(node) for node in rule.conditions],
        "then": [_action_dict(action) for action in rule.actions],
        "continue": rule.continue_matching,
    }
    return out


def rules_to_dicts(rules: Iterable[Rule]) -> list[dict[str, Any]]:
    return [rule_to_dict(rule) for rule in rules]


def rules_from_yaml(
    text: str,
    *,
    department_ids: Collection[str] | None = None,
    agent_ids: Collection[str] | None = None,
) -> tuple[Rule, ...]:
    """Accepts a list of rules or a mapping with a `rules:` list (what rules_to_yaml writes)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RuleValidationError([f"not valid YAML: {exc}"]) from exc
    if data is None:
        return ()
    if isinstance(data, Mapping):
        unknown = sorted(str(key) for key in data if key != "rules")
        if unknown:
            raise RuleValidationError([f"top level: unknown key '{unknown[0]}' (expected 'rules')"])
        data = data.get("rules") or []
    return rules_from_dicts(data, department_ids=department_ids, agent_ids=agent_ids)


def rules_to_yaml(rules: Iterable[Rule]) -> str:
    return yaml.safe_dump({"rules": rules_to_dicts(rules)}, allow_unicode=True, sort_keys=False, width=100)


def rules_version(rules: Iterable[Rule]) -> str:
    """A short content hash: equal rule sets share a version, any edit changes it."""
    canonical = json.dumps(rules_to_dicts(rules), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def reference_problems(
    rules: Iterable[Rule], *, department_ids: Collection[str], agent_ids: Collection[str]
) -> list[str]:
    """Rules pointing at departments or agents deleted since they were saved, for the admin page."""
    problems = []
    for rule in rules:
        for action in rule.actions:
            if isinstance(action, SetDepartment) and action.department_id not in department_ids:
                problems.append(f"rule \"{rule.name}\": department '{action.department_id}' no longer exists")
            if isinstance(action, AssignAgent) and action.agent_id not in agent_ids:
                problems.append(f"rule \"{rule.name}\": agent '{action.agent_id}' no longer exists")
    return problems
