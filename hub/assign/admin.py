"""What admins do to routing, shared by the JSON API and the `hub routing` command.

Rules are validated against the departments and agents that exist right now and against the
auto-reply templates on disk; every problem is reported at once, each naming its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub.assign import autoreplies
from hub.assign.apply import plan
from hub.assign.runtime import runtime
from hub.assign.snapshot import RoutingConfig, department_dict
from hub.outbound import survey_settings
from hub.runtime import Hub
from hub.store import agents, contacts, routing_rules, routing_state
from hub.store import departments as department_store
from hub.store.db import Doc, oid
from routing.decision import Decision
from routing.errors import DepartmentValidationError, RuleValidationError
from routing.model import AutoReply, ConversationSnapshot, Rule
from routing.policy_io import department_from_dict, department_to_dict
from routing.rules_io import reference_problems, rules_from_dicts, rules_from_yaml, rules_to_dicts, rules_version


async def _known(hub: Hub) -> tuple[RoutingConfig, set[str], set[str]]:
    config = await runtime(hub).config()
    agent_ids = {str(doc["_id"]) for doc in await agents.routable(hub.db)}
    return config, set(config.department_docs), agent_ids


def _template_problems(rules: Iterable[Rule]) -> list[str]:
    names = set(autoreplies.template_names())
    return [f"rule \"{rule.name}\": auto-reply template '{action.template}' does not exist in templates/autoreplies/"
            f" (there are: {', '.join(sorted(names)) or 'none'})"
            for rule in rules for action in rule.actions
            if isinstance(action, AutoReply) and action.template not in names]


async def parse_rules(hub: Hub, data: object, *, yaml_text: str | None = None) -> tuple[Rule, ...]:
    """Rules from JSON data or YAML text; RuleValidationError listing every problem."""
    _config, department_ids, agent_ids = await _known(hub)
    if yaml_text is not None:
        rules = rules_from_yaml(yaml_text, department_ids=department_ids, agent_ids=agent_ids)
    else:
        rules = rules_from_dicts(data, department_ids=department_ids, agent_ids=agent_ids)
    problems = _template_problems(rules)
    if problems:
        raise RuleValidationError(problems)
    return rules


async def save_rules(hub: Hub, rules: tuple[Rule, ...], saved_by: ObjectId | None, source: str, now: datetime,
                     base_version: str | None = None) -> Doc:
    """Store a new version. With base_version, refuse when someone saved in between (RuleValidationError)."""
    if base_version is not None:
        current = await routing_rules.current(hub.db)
        current_version = str(current["version"]) if current else "none"
        if current_version != base_version:
            raise RuleValidationError([f"the rules changed since you loaded them (now version {current_version}, "
                                       f"you edited {base_version}); reload and apply your edit again"])
    saved = await routing_rules.save(hub.db, rules_to_dicts(rules), rules_version(rules), saved_by, source, now)
    runtime(hub).invalidate()
    return saved


async def current_rules(hub: Hub) -> tuple[tuple[Rule, ...], str, list[str]]:
    """The stored rules, their version, and problems such as references to since-deleted departments."""
    config, department_ids, agent_ids = await _known(hub)
    rules = config.policy.rules
    problems = [*config.problems, *reference_problems(rules, department_ids=department_ids, agent_ids=agent_ids)]
    return rules, config.policy.rules_version, problems


def present_department(doc: Doc, key: str) -> dict[str, Any]:
    try:
        shown = department_to_dict(department_from_dict(department_dict(doc, key)))
    except DepartmentValidationError:
        shown = department_dict(doc, key)
    return {**shown, "id": str(doc["_id"]), "key": key, "csat": survey_settings.of_department(doc).as_doc()}


async def update_department(hub: Hub, doc: Doc, body: dict[str, Any], now: datetime) -> Doc:
    """Merge the given routing settings into the department; DepartmentValidationError on any problem."""
    config = await runtime(hub).config()
    key = config.key_by_oid[doc["_id"]]
    new_key = body.pop("key", key)
    if not isinstance(new_key, str) or department_store.slug(new_key) != new_key or not new_key:
        raise DepartmentValidationError([f"key: {new_key!r} must be lower-case letters, digits and '-'"])
    body.pop("id", None)
    survey = survey_settings.of_department(doc)
    if "csat" in body:  # not a routing setting: checked here, stored beside them
        survey = survey_settings.check(body.pop("csat"), survey)
    merged = {**department_dict(doc, key), **body}
    department = department_from_dict(merged)  # raises with every problem
    lead = oid(department.lead_id) if department.lead_id else None
    if department.lead_id is not None and (lead is None or await agents.get(hub.db, lead) is None):
        raise DepartmentValidationError([f"lead_id: no user with id {department.lead_id}"])
    known = set(autoreplies.template_names())
    missing = [t for t in (department.autoreply_in_hours, department.autoreply_out_of_hours) if t and t not in known]
    if missing:
        raise DepartmentValidationError([f"autoreply: template '{missing[0]}' does not exist in templates/autoreplies/"
                                         f" (there are: {', '.join(sorted(known)) or 'none'})"])
    stored = department_to_dict(department)
    fields: Doc = {name: stored.get(name) for name in ("strategy", "fallback_after", "sticky", "autoreply", "sla")}
    fields["hours"] = stored.get("hours")
    fields["lead_id"] = lead
    fields["key"] = new_key
    fields["csat"] = survey.as_doc()
    updated = await department_store.update_routing(hub.db, doc["_id"], fields, now, name=department.name)
    runtime(hub).invalidate()
    return updated or doc


@dataclass(frozen=True)
class DryRun:
    decision: Decision
    language: str | None
    config: RoutingConfig

    def as_dict(self) -> dict[str, Any]:
        department = self.config.department_docs.get(self.decision.department_id)
        return {"decision": self.decision.as_dict(agent_limit=500), "summary": self.decision.explanation.summary(),
                "language": self.language, "rules_version": self.config.policy.rules_version,
                "department": None if department is None else {"id": department["_id"], "key":
                                                                self.decision.department_id,
                                                                "name": department.get("name")}}


async def explain(hub: Hub, channel: str, text: str, contact_id: ObjectId | None, now: datetime) -> DryRun:
    """What would happen to a new conversation with this first message, now. Writes nothing."""
    config = await runtime(hub).config()
    contact: Mapping[str, Any] = {"_id": "dry-run"}
    if contact_id is not None:
        found = await contacts.get(hub.db, contact_id)
        if found is None:
            raise LookupError("no contact with that id")
        contact = found
    snapshot = ConversationSnapshot(id="dry-run", channel=channel, created_at=now, waiting_since=now)
    decision, language, _team = await plan(hub, config, snapshot, contact, text, "new_conversation", now)
    return DryRun(decision, language, config)


@dataclass(frozen=True)
class ReplayLine:
    conversation_id: str
    created_at: datetime
    was: str
    would_be: str
    why: str

    @property
    def moved(self) -> bool:
        return self.was != self.would_be


async def replay(hub: Hub, since: datetime, limit: int = 1000) -> list[ReplayLine]:
    """Past conversations' first messages through today's rules: which would go to another department."""
    config = await runtime(hub).config()
    lines: list[ReplayLine] = []
    contact_cache: dict[Any, Mapping[str, Any]] = {}
    for conversation, message in await routing_state.first_inbound_since(hub.db, since, limit):
        contact_id: ObjectId = conversation["contact_id"]
        if contact_id not in contact_cache:
            contact_cache[contact_id] = await contacts.get(hub.db, contact_id) or {"_id": contact_id}
        created = conversation.get("created_at") or message["created_at"]
        snapshot = ConversationSnapshot(id=str(conversation["_id"]), channel=str(message.get("channel") or ""),
                                        created_at=created, waiting_since=created)
        contact = {**contact_cache[contact_id]}
        if message.get("language"):
            contact["language"] = message["language"]
        # Agents' availability back then is unknown: only where rules send it is compared.
        decision, _language, _ = await plan(hub, config, snapshot, contact, str(message.get("text") or ""),
                                            "new_conversation", created, team=[])
        department_id = conversation.get("department_id")
        was_key = config.key_by_oid.get(department_id, "none") if isinstance(department_id, ObjectId) else "none"
        lines.append(ReplayLine(str(conversation["_id"]), created, was_key, decision.department_id,
                                decision.explanation.department_reason))
    return lines
