"""Report events (issue 14): each duration is computed once, when it happens, and kept in `report_events`.

One document per fact: `{conversation_id, kind, at, department_id, agent_id, channel, labels, priority,
wall_seconds, business_seconds}` with kind one of KINDS. `wall_seconds` and `business_seconds` (the part of it
inside the department's business hours, hub.metrics.business_time, and outside the conversation's past
snoozes: the SLA clock's own measure) are what the reports summarise:

- created: the conversation opened (durations 0; department and agent are not known yet, so conversation
  volume by department is read from the conversations themselves, hub.store.report_queries);
- first_response: the first human reply on the customer's channel, timed from the conversation's creation
  (automatic replies and notes never call this). Its `_id` is fixed per conversation, so two racing replies
  record it once;
- next_response: a later human reply to a customer who was waiting, timed from when they started waiting;
- resolved: timed from the creation, or from the last reopening;
- reopened: timed from the resolution it undid;
- message_in / message_out: a customer's message, and a human reply on the customer's channel (automatic
  replies and notes are not "out"), on the channel it used, with the conversation's department, agent
  (for "out": the one who replied), labels and priority at that moment (durations 0);
- status: any other change of status (pending, snoozed, woken, open again).

Events that can change a conversation's status (STATUS_KINDS) carry `status`, the status it had after
them: the backlog over time is read from those alone (hub/store/report_backlog.py).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from bson import ObjectId
from pymongo.errors import BulkWriteError, PyMongoError

from hub import names as model
from hub.db.client import DUPLICATE_KEY
from hub.metrics.business_time import business_seconds
from hub.store import report_rollups
from hub.store.db import Db, Doc
from routing.errors import DepartmentValidationError
from routing.model import BusinessHours, to_utc
from routing.policy_io import department_from_dict

log = logging.getLogger(__name__)


KINDS: Final = ("created", "first_response", "next_response", "resolved", "reopened", "message_in", "message_out",
                "status")
STATUS_KINDS: Final = ("created", "resolved", "reopened", "message_in", "status")


async def department_hours(db: Db, department_id: ObjectId | None) -> BusinessHours | None:
    if department_id is None:
        return None
    doc = await db[model.DEPARTMENTS].find_one({"_id": department_id}, {"hours": 1, "name": 1})
    if doc is None or doc.get("hours") is None:
        return None
    try:
        return department_from_dict({"id": str(department_id), "hours": doc["hours"]}).hours
    except DepartmentValidationError:
        return None  # unreadable hours: count wall-clock time rather than nothing


def _snoozes(conversation: Mapping[str, Any]) -> list[tuple[datetime, datetime]]:
    return [(p["from"], p["to"]) for p in conversation.get("snoozes") or () if isinstance(p, dict)
            and isinstance(p.get("from"), datetime) and isinstance(p.get("to"), datetime)]


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (to_utc(end) - to_utc(start)).total_seconds())


def event_doc(conversation: Mapping[str, Any], kind: str, at: datetime, since: datetime | None,
              hours: BusinessHours | None, *, agent_id: ObjectId | None = None, channel: str | None = None) -> Doc:
    """The event's document; `since` is where its duration starts (None: no duration, `hours` unused)."""
    doc: Doc = {
        "conversation_id": conversation["_id"], "kind": kind, "at": at,
        "department_id": conversation.get("department_id"),
        "agent_id": agent_id if agent_id is not None else conversation.get("assignee_id"),
        "channel": channel or conversation.get("last_channel"),
        "labels": list(conversation.get("labels") or []),
        "priority": conversation.get("priority") or "normal",
        "wall_seconds": 0.0 if since is None else _seconds(since, at),
        "business_seconds": 0.0 if since is None else business_seconds(hours, since, at, _snoozes(conversation)),
    }
    if kind in STATUS_KINDS and conversation.get("status"):
        doc["status"] = conversation["status"]
    if kind == "first_response":
        doc["_id"] = f"{conversation['_id']}:first_response"
    return doc


def message_in(conversation: Mapping[str, Any], channel: str, at: datetime) -> Doc:
    """A customer's message stored (not a repeat): written with others of a burst by `record_many`."""
    return event_doc(conversation, "message_in", at, None, None, channel=channel)


async def record_many(db: Db, docs: list[Doc]) -> None:
    """Write a burst's events in one insert and their rollups in one bulk write. Never fails the caller."""
    try:
        await db[model.REPORT_EVENTS].insert_many(docs, ordered=False)
        written = docs
    except BulkWriteError as exc:
        failed = {error["index"] for error in exc.details.get("writeErrors", [])}
        written = [doc for n, doc in enumerate(docs) if n not in failed]
        if any(error.get("code") != DUPLICATE_KEY for error in exc.details.get("writeErrors", [])):
            log.warning("report events not recorded: %d of %d", len(failed), len(docs))
    except PyMongoError:
        log.warning("report events not recorded: %d", len(docs), exc_info=True)
        return
    await report_rollups.add_many(db, written)


async def record(db: Db, conversation: Mapping[str, Any], kind: str, at: datetime, since: datetime | None,
                 *, agent_id: ObjectId | None = None, channel: str | None = None) -> None:
    """Write one event; `since` is where its duration starts (None: no duration). Never fails the caller."""
    try:
        hours = await department_hours(db, conversation.get("department_id")) if since is not None else None
    except PyMongoError:
        log.warning("report event not recorded kind=%s conversation=%s", kind, conversation.get("_id"),
                    exc_info=True)
        return
    # A racing first reply that recorded it already is a duplicate key: skipped there, not counted twice.
    await record_many(db, [event_doc(conversation, kind, at, since, hours, agent_id=agent_id, channel=channel)])


async def replied(db: Db, before: Mapping[str, Any], at: datetime, agent_id: ObjectId | None,
                  channel: str | None = None) -> None:
    """A human reply on the customer's channel; `before` is the conversation as it was just before it."""
    await record(db, before, "message_out", at, None, agent_id=agent_id, channel=channel)
    if before.get("last_inbound_at") is None:
        return  # we wrote first: there is no customer waiting to be answered
    if before.get("first_response_at") is None:
        await record(db, before, "first_response", at, before.get("created_at"), agent_id=agent_id)
    elif before.get("waiting_since") is not None:
        await record(db, before, "next_response", at, before["waiting_since"], agent_id=agent_id)


async def resolved(db: Db, conversation: Mapping[str, Any], at: datetime) -> None:
    await record(db, conversation, "resolved", at, conversation.get("reopened_at") or conversation.get("created_at"))


async def reopened(db: Db, conversation: Mapping[str, Any], resolved_at: datetime | None, at: datetime) -> None:
    await record(db, conversation, "reopened", at, resolved_at)


async def status_changed(db: Db, before: Mapping[str, Any], after: Mapping[str, Any], at: datetime) -> None:
    """An agent's status change: resolving times the resolution, moving a resolved one back reopens it."""
    was, now = before.get("status"), after.get("status")
    if now == "resolved" and was != "resolved":
        await resolved(db, after, at)
    elif was == "resolved" and now != "resolved":
        await reopened(db, after, before.get("resolved_at"), at)
    elif was != now:
        await record(db, after, "status", at, None)
