"""Stored documents -> the frozen snapshots routing/ decides over, and back to ids the store understands.

Routing names departments by their `key` ("billing") and agents by their user id as text; the hub
maps those to ObjectIds here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub.store import departments as department_store
from hub.store.db import Doc, oid
from routing.errors import DepartmentValidationError
from routing.model import (
    PRESENCES,
    PRIORITIES,
    STATUSES,
    AgentState,
    Condition,
    ConditionNode,
    ContactSnapshot,
    ConversationSnapshot,
    ConversationStatus,
    Department,
    Not,
    Policy,
    Presence,
    Priority,
    Rule,
    to_utc,
)
from routing.policy_io import department_from_dict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RoutingConfig:
    """What rarely changes: departments and rules. Cached per process for a few seconds."""

    policy: Policy
    department_docs: Mapping[str, Doc]  # by key
    key_by_oid: Mapping[ObjectId, str]
    problems: tuple[str, ...] = ()  # stored settings that could not be read, for the admin
    rules_saved_at: datetime | None = None
    language_rule: bool = False  # some rule asks about the language, so detection is worth its cost

    def department_oid(self, key: str | None) -> ObjectId | None:
        doc = self.department_docs.get(key or "")
        return None if doc is None else doc["_id"]

    def department_for(self, raw: str) -> Doc | None:
        """A department named by its id, its key or its name (the API accepts any of them)."""
        parsed = oid(raw)
        if parsed is not None and parsed in self.key_by_oid:
            return self.department_docs[self.key_by_oid[parsed]]
        if raw in self.department_docs:
            return self.department_docs[raw]
        return next((d for d in self.department_docs.values() if str(d.get("name", "")).casefold() == raw.casefold()),
                    None)


def department_dict(doc: Doc, key: str) -> dict[str, Any]:
    """The routing fields of a department document, as routing.policy_io reads them."""
    raw: dict[str, Any] = {"id": key, "name": doc.get("name") or key}
    for name in ("strategy", "fallback_after", "sticky", "autoreply", "hours", "sla"):
        if doc.get(name) is not None:
            raw[name] = doc[name]
    if doc.get("lead_id") is not None:
        raw["lead_id"] = str(doc["lead_id"])
    return raw


def departments(docs: Iterable[Doc]) -> tuple[dict[str, Department], dict[str, Doc], list[str]]:
    by_key: dict[str, Department] = {}
    docs_by_key: dict[str, Doc] = {}
    problems: list[str] = []
    for doc in docs:
        key = department_store.key_of(doc)
        if key in docs_by_key:  # two names with one slug: the later one is known by its id
            key = str(doc["_id"])
        docs_by_key[key] = doc
        try:
            by_key[key] = department_from_dict(department_dict(doc, key))
        except DepartmentValidationError as exc:
            # Stored settings went bad (edited by hand): route with defaults rather than not at all.
            problems.extend(exc.messages)
            log.warning("department settings unreadable key=%s problems=%s", key, exc.messages)
            by_key[key] = Department(key, str(doc.get("name") or key))
    return by_key, docs_by_key, problems


def build_config(department_docs: Iterable[Doc], rules: tuple[Rule, ...], version: str, default_key: str,
                 autoreply_window: float, saved_at: datetime | None = None,
                 problems: Iterable[str] = ()) -> RoutingConfig:
    by_key, docs_by_key, bad = departments(department_docs)
    policy = Policy(default_department_id=default_key, rules=rules, rules_version=version, departments=by_key,
                    autoreply_window=autoreply_window)
    language_rule = any(_mentions_language(rule.conditions) for rule in rules if rule.enabled)
    return RoutingConfig(policy, docs_by_key, {d["_id"]: k for k, d in docs_by_key.items()},
                         (*problems, *bad), saved_at, language_rule)


def _mentions_language(nodes: Iterable[ConditionNode]) -> bool:
    for node in nodes:
        if isinstance(node, Condition):
            if node.field == "language":
                return True
        elif isinstance(node, Not):
            if _mentions_language((node.condition,)):
                return True
        elif _mentions_language(node.conditions):
            return True
    return False


def _presence(value: object) -> Presence:
    return next((p for p in PRESENCES if p == value), "offline")


def _texts(values: object) -> frozenset[str]:
    if not isinstance(values, list | tuple | set | frozenset):
        return frozenset()
    return frozenset(str(v).strip().lower() for v in values if str(v).strip())


def agent_state(doc: Doc, config: RoutingConfig, now: datetime) -> AgentState:
    until = doc.get("connected_until")
    capacity = doc.get("capacity")
    return AgentState(
        id=str(doc["_id"]),
        name=str(doc.get("name") or doc.get("email") or doc["_id"]),
        department_ids=frozenset(config.key_by_oid[d] for d in doc.get("department_ids") or []
                                 if d in config.key_by_oid),
        status=_presence(doc.get("status", "online")),
        connected=until is not None and to_utc(until) > to_utc(now),
        capacity=capacity if isinstance(capacity, int) and not isinstance(capacity, bool) else 5,
        open_count=int(doc.get("open_count") or 0),
        skills=_texts(doc.get("skills")),
        languages=_texts(doc.get("languages")),
        last_assigned_at=doc.get("last_assigned_at"),
    )


def conversation_snapshot(doc: Mapping[str, Any], config: RoutingConfig, channel: str | None = None,
                          previous_agent: object = None) -> ConversationSnapshot:
    status: ConversationStatus = next((s for s in STATUSES if s == doc.get("status")), "open")
    priority: Priority = next((p for p in PRIORITIES if p == doc.get("priority")), "normal")
    department = doc.get("department_id")
    assignee = doc.get("assignee_id")
    return ConversationSnapshot(
        id=str(doc["_id"]),
        channel=channel or str(doc.get("last_channel") or ""),
        status=status,
        priority=priority,
        labels=frozenset(str(label) for label in doc.get("labels") or []),
        department_id=config.key_by_oid.get(department) if isinstance(department, ObjectId) else None,
        assignee_id=None if assignee is None else str(assignee),
        previous_assignee_id=None if previous_agent is None else str(previous_agent),
        waiting_since=doc.get("waiting_since"),
        created_at=doc.get("created_at"),
        last_autoreply_at=doc.get("last_autoreply_at"),
        first_response_at=doc.get("first_response_at"),
        required_language=doc.get("required_language"),
        required_skills=frozenset(doc.get("required_skills") or []),
        sla_escalated=frozenset(doc.get("sla_escalated") or []),
        paused=tuple((p["from"], p["to"]) for p in doc.get("snoozes") or ()
                     if isinstance(p, dict) and p.get("from") and p.get("to")),
    )


def contact_snapshot(doc: Mapping[str, Any], language: str | None = None) -> ContactSnapshot:
    raw_attributes = doc.get("attributes")
    attributes: dict[str, Any] = raw_attributes if isinstance(raw_attributes, dict) else {}
    tags = _texts(doc.get("tags"))
    vip = bool(doc.get("vip")) or bool(attributes.get("vip")) or "vip" in tags
    source = doc.get("source")
    if isinstance(source, dict):  # a campaign deep link: {"channel", "payload", ...}
        source = source.get("payload") or source.get("value") or source.get("channel")
    return ContactSnapshot(
        id=str(doc.get("_id", "")),
        name=str(doc.get("name") or ""),
        attributes=dict(attributes),
        tags=tags,
        vip=vip,
        language=language or doc.get("language") or doc.get("detected_language"),
        source=None if source is None else str(source),
    )
