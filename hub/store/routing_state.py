"""Conversation writes and reads that routing needs: apply a decision, the queue, SLA clocks, auto-reply once.

Every write that assigns is conditional on the state routing read (not yet routed; still unassigned;
still the same assignee), so two processes acting on one conversation cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING

from hub import names as model
from hub.store.db import Db, Doc, update_then_get
from hub.store.documents import Conversation, conversations_in

QUEUED: Doc = {"active": True, "assignee_id": None, "department_id": {"$ne": None}}


async def apply_first_route(db: Db, conversation_id: ObjectId, fields: Doc, now: datetime) -> Conversation | None:
    """Record where routing sent a new (or reopened) conversation; only the first routing wins."""
    return await update_then_get(
        conversations_in(db), {"_id": conversation_id, "routed": {"$ne": True}},
        {"$set": {**fields, "routed": True, "routed_at": now, "updated_at": now}},
    )


async def assign_from_queue(db: Db, conversation_id: ObjectId, agent_id: ObjectId, fields: Doc,
                            now: datetime) -> Conversation | None:
    """Give a queued conversation to an agent; None when someone else took it first."""
    return await update_then_get(
        conversations_in(db), {"_id": conversation_id, **QUEUED},
        {"$set": {**fields, "assignee_id": agent_id, "assigned_at": now, "updated_at": now}},
    )


async def move(db: Db, conversation_id: ObjectId, expected_assignee: ObjectId | None, fields: Doc,
               now: datetime) -> Conversation | None:
    """Change department and/or assignee, only if the assignee is still the one the caller saw."""
    return await update_then_get(
        conversations_in(db), {"_id": conversation_id, "assignee_id": expected_assignee},
        {"$set": {**fields, "updated_at": now}},
    )


async def queued(db: Db, department_ids: Iterable[ObjectId], limit: int = 500) -> list[Conversation]:
    """Unassigned active conversations of these departments, oldest first (routing orders them exactly)."""
    query: Doc = {**QUEUED, "department_id": {"$in": list(department_ids)}}
    cursor = conversations_in(db).find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
    return await cursor.limit(limit).to_list(limit)


async def queued_department_ids(db: Db) -> list[ObjectId]:
    return [d for d in await db[model.CONVERSATIONS].distinct("department_id", QUEUED) if d is not None]


async def sla_candidates(db: Db, now: datetime, limit: int = 500) -> list[Conversation]:
    """Active conversations with an SLA clock that ran out and was not escalated yet."""
    query: Doc = {"active": True, "$or": [
        {"sla_first_response_due": {"$lte": now}, "first_response_at": None,
         "sla_escalated": {"$ne": "first_response"}},
        {"sla_resolution_due": {"$lte": now}, "sla_escalated": {"$ne": "resolution"}},
    ]}
    return await conversations_in(db).find(query).limit(limit).to_list(limit)


async def set_sla_due(db: Db, conversation_id: ObjectId, first_response_due: datetime | None,
                      resolution_due: datetime | None) -> None:
    await db[model.CONVERSATIONS].update_one({"_id": conversation_id}, {"$set": {
        "sla_first_response_due": first_response_due, "sla_resolution_due": resolution_due}})


async def mark_escalated(db: Db, conversation_id: ObjectId, target: str, fields: Doc, now: datetime
                         ) -> Conversation | None:
    """Claim one SLA escalation (None: another process already did it) and apply its field changes."""
    return await update_then_get(
        conversations_in(db), {"_id": conversation_id, "sla_escalated": {"$ne": target}},
        {"$addToSet": {"sla_escalated": target}, "$set": {**fields, "updated_at": now}},
    )


async def claim_autoreply(db: Db, conversation_id: ObjectId, now: datetime, window_start: datetime) -> bool:
    """At most one auto-reply per conversation per window, however many processes try at once."""
    # Read, then compare-and-set on the value read (atomic on one _id); an $or in the filter would
    # make the embedded server scan every conversation.
    current = await db[model.CONVERSATIONS].find_one({"_id": conversation_id}, {"last_autoreply_at": 1})
    if current is None:
        return False
    last = current.get("last_autoreply_at")
    if last is not None and last >= window_start:
        return False
    result = await db[model.CONVERSATIONS].update_one(
        {"_id": conversation_id, "last_autoreply_at": last}, {"$set": {"last_autoreply_at": now}},
    )
    return result.modified_count == 1


async def record_language(db: Db, conversation: Mapping[str, Any], created_at: datetime, language: str) -> None:
    """The detected language on the customer's message, and on the contact for next time."""
    await db[model.MESSAGES].update_many(
        {"conversation_id": conversation["_id"], "direction": model.IN, "created_at": created_at},
        {"$set": {"language": language}},
    )
    await db[model.CONTACTS].update_one({"_id": conversation["contact_id"]},
                                        {"$set": {"detected_language": language}})


async def remember_agent(db: Db, contact_id: ObjectId, agent_id: ObjectId) -> None:
    """The contact's last agent, for sticky routing of their next conversation."""
    await db[model.CONTACTS].update_one({"_id": contact_id}, {"$set": {"last_agent_id": agent_id}})


async def first_inbound_since(db: Db, since: datetime, limit: int = 1000) -> list[tuple[Doc, Doc]]:
    """(conversation, its first customer message) for conversations opened since `since`, oldest first."""
    conversations = await db[model.CONVERSATIONS].find({"created_at": {"$gte": since}}).sort(
        [("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit).to_list(limit)
    if not conversations:
        return []
    ids = [c["_id"] for c in conversations]
    first: dict[Any, Doc] = {}
    cursor = db[model.MESSAGES].find({"conversation_id": {"$in": ids}, "direction": model.IN}).sort(
        [("created_at", ASCENDING), ("_id", ASCENDING)])
    async for message in cursor:
        first.setdefault(message["conversation_id"], message)
    return [(c, first[c["_id"]]) for c in conversations if c["_id"] in first]
