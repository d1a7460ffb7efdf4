"""Notifications for people (a team lead told of an SLA breach), for the inbox to show."""

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


async def for_user(db: Db, user_id: ObjectId, limit: int = 50) -> list[Doc]:
    cursor = db[model.NOTIFICATIONS].find({"user_id": user_id}).sort([("created_at", DESCENDING),
                                                                      ("_id", DESCENDING)])
    return await cursor.limit(limit).to_list(limit)
