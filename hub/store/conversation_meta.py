"""What agents set on a conversation from the composer: labels, priority, snooze; and the timeline sync."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING

from hub.store import reports
from hub.store.db import Db, Doc, update_then_get
from hub.store.documents import Conversation, Message, conversations_in, messages_in


async def set_labels(db: Db, conversation_id: ObjectId, labels: list[str], now: datetime) -> Conversation | None:
    return await update_then_get(conversations_in(db), {"_id": conversation_id},
                                 {"$set": {"labels": labels, "updated_at": now}})


def _visible_parts(user: Mapping[str, Any]) -> list[Doc]:
    """The user's visibility (conversations.visibility_filter) as separate filters without `$or`: the
    embedded server answers any query holding an `$or` with a collection scan."""
    if user.get("role") in ("admin", "lead"):
        return [{}]
    return [{"department_id": {"$in": list(user.get("department_ids", []))}}, {"assignee_id": user["_id"]}]


async def labels_in_use(db: Db, user: Mapping[str, Any], prefix: str = "", limit: int = 20) -> list[str]:
    """Labels already on conversations `user` may see, starting with `prefix` (any case), sorted.

    Only what the user could see on a conversation anyway: a label is free text a team may fill with
    something it would not show every department ("legal-hold", a customer's name)."""
    found: set[str] = set()
    for part in _visible_parts(user):
        query: Doc = {**part, "labels": {"$regex": "^" + re.escape(prefix), "$options": "i"} if prefix
                      else {"$exists": True, "$ne": []}}
        values = await conversations_in(db).distinct("labels", query)
        found.update(v for v in values if isinstance(v, str))
    wanted = prefix.casefold()
    return sorted((v for v in found if v.casefold().startswith(wanted)), key=str.casefold)[:limit]


async def set_priority(db: Db, conversation_id: ObjectId, priority: str, now: datetime) -> Conversation | None:
    return await update_then_get(conversations_in(db), {"_id": conversation_id},
                                 {"$set": {"priority": priority, "updated_at": now}})


async def snooze(db: Db, conversation_id: ObjectId, until: datetime, now: datetime) -> Conversation | None:
    """Snoozed until `until`; only a conversation still being worked (not resolved) can be snoozed."""
    # snoozed_at: when the SLA clocks stopped (a second snooze while snoozed keeps the first moment).
    doc = await update_then_get(conversations_in(db), {"_id": conversation_id, "status": {"$ne": "resolved"}},
                                {"$set": {"status": "snoozed", "snoozed_until": until, "updated_at": now},
                                 "$min": {"snoozed_at": now}})
    if doc is not None:
        await reports.record(db, doc, "status", now, None)
    return doc


async def due_snoozes(db: Db, now: datetime, limit: int = 200) -> list[Conversation]:
    cursor = conversations_in(db).find({"status": "snoozed", "snoozed_until": {"$lte": now}})
    return await cursor.limit(limit).to_list(limit)


async def wake(db: Db, conversation_id: ObjectId, now: datetime) -> Conversation | None:
    """Reopen a snoozed conversation whose time came; None when someone else woke or changed it first."""
    doc = await update_then_get(
        conversations_in(db), {"_id": conversation_id, "status": "snoozed", "snoozed_until": {"$lte": now}},
        {"$set": {"status": "open", "updated_at": now, "woken_at": now}, "$unset": {"snoozed_until": ""}})
    if doc is not None:
        doc = await snooze_ended(db, doc, now)
        await reports.record(db, doc, "status", now, None)
    return doc


async def snooze_ended(db: Db, conversation: Conversation, at: datetime) -> Conversation:
    """A snoozed conversation is worked again (woken, a customer's message, an agent's status change): the
    snooze joins `snoozes` ({from, to}), the spans its SLA clocks stood still (routing.sla). Idempotent."""
    since = conversation.get("snoozed_at")
    if since is None or conversation.get("status") == "snoozed":
        return conversation
    found = await update_then_get(conversations_in(db), {"_id": conversation["_id"], "snoozed_at": since},
                                  {"$push": {"snoozes": {"from": since, "to": max(since, at)}},
                                   "$unset": {"snoozed_at": ""}})
    return found if found is not None else conversation


async def changed_since(db: Db, conversation_id: ObjectId, since: datetime, limit: int = 500) -> list[Message]:
    """Timeline entries created or updated from `since` on: what a page missed while disconnected.

    Inclusive, because a write in the same millisecond as the page's last event may not have reached
    it; the page upserts by id, so seeing an entry twice costs nothing.
    """
    # The conversation's own index, then the time test in Python: an $or in the query would make the
    # embedded server scan every message of every conversation.
    cursor = messages_in(db).find({"conversation_id": conversation_id})
    changed = [m async for m in cursor.sort([("created_at", ASCENDING), ("_id", ASCENDING)])
               if m["created_at"] >= since or (m.get("updated_at") or m["created_at"]) >= since]
    return changed[:limit]

