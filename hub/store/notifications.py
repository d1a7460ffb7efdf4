"""Notifications for people (a mention, a conversation assigned to me, an SLA breach), for the bell to show.

Each notification belongs to one user and is never deleted with its conversation: a mention stays
listed after the conversation is resolved. Reads always filter on the owner, so one user's id cannot
reach another user's notification. Preferences (which kinds may raise a browser notification, and the
sound) live on the user document under `notification_prefs`.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from hub import names as model
from hub.store.db import Db, Doc


async def add(db: Db, user_id: ObjectId, kind: str, text: str, now: datetime,
              conversation_id: ObjectId | None = None, data: Doc | None = None) -> Doc:
    doc: Doc = {"user_id": user_id, "kind": kind, "text": text, "conversation_id": conversation_id,
                "data": data or {}, "created_at": now, "read_at": None}
    result = await db[model.NOTIFICATIONS].insert_one(doc)
    doc["_id"] = result.inserted_id
    return doc


async def for_user(db: Db, user_id: ObjectId, limit: int = 50, *, before: ObjectId | None = None,
                   unread_only: bool = False) -> list[Doc]:
    """The user's notifications, newest first; `before` (an id) pages on to older ones."""
    query: Doc = {"user_id": user_id}
    if before is not None:
        query["_id"] = {"$lt": before}
    if unread_only:
        query["read_at"] = None
    cursor = db[model.NOTIFICATIONS].find(query).sort("_id", DESCENDING)
    return await cursor.limit(limit).to_list(limit)


async def unread_count(db: Db, user_id: ObjectId) -> int:
    return await db[model.NOTIFICATIONS].count_documents({"user_id": user_id, "read_at": None})


async def mark_read(db: Db, user_id: ObjectId, notification_id: ObjectId, now: datetime) -> Doc | None:
    """Mark one of the user's notifications read (a second time keeps the first moment); None if not theirs."""
    found: Doc | None = await db[model.NOTIFICATIONS].find_one({"_id": notification_id, "user_id": user_id})
    if found is None:
        return None
    if found.get("read_at") is None:
        await db[model.NOTIFICATIONS].update_one({"_id": notification_id, "user_id": user_id, "read_at": None},
                                                 {"$set": {"read_at": now}})
        found["read_at"] = now
    return found


async def mark_all_read(db: Db, user_id: ObjectId, now: datetime, up_to: ObjectId | None = None) -> int:
    """Mark the user's unread notifications read (those up to and including `up_to`, when given)."""
    query: Doc = {"user_id": user_id, "read_at": None}
    if up_to is not None:
        query["_id"] = {"$lte": up_to}
    result = await db[model.NOTIFICATIONS].update_many(query, {"$set": {"read_at": now}})
    return int(result.modified_count)
