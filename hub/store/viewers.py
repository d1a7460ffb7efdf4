"""Who is looking at (or typing in) a conversation right now: one small expiring record per agent.

Records are updated, never deleted, when an agent leaves (expires_at set to now), so the change
stream carries the departure to every hub process; a TTL index removes them later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING

from hub import names as model
from hub.store.db import Db, Doc


async def beat(db: Db, conversation_id: ObjectId, user: Doc, now: datetime, ttl: timedelta,
               typing_until: datetime | None) -> None:
    """The agent is viewing until now+ttl (and typing until `typing_until`, if given)."""
    fields: Doc = {"conversation_id": conversation_id, "user_id": user["_id"], "name": user.get("name") or "",
                   "expires_at": now + ttl, "updated_at": now}
    if typing_until is not None:
        fields["typing_until"] = typing_until
    await db[model.VIEWERS].update_one({"_id": f"{conversation_id}:{user['_id']}"}, {"$set": fields}, upsert=True)


async def leave(db: Db, conversation_id: ObjectId, user_id: ObjectId, now: datetime) -> None:
    await db[model.VIEWERS].update_one({"_id": f"{conversation_id}:{user_id}"},
                                 {"$set": {"expires_at": now, "typing_until": None, "updated_at": now}})


async def current(db: Db, conversation_id: ObjectId, now: datetime) -> list[Doc]:
    cursor = db[model.VIEWERS].find({"conversation_id": conversation_id, "expires_at": {"$gt": now}})
    return await cursor.sort("updated_at", ASCENDING).to_list(50)


def visitor_key(conversation_id: ObjectId) -> str:
    return f"{conversation_id}:visitor"


async def visitor_typing(db: Db, conversation_id: ObjectId, name: str, now: datetime, until: datetime) -> None:
    """The website visitor is typing in this conversation until `until`: the record is gone (expired) then,
    as a visitor is never "viewing" for an agent, only typing."""
    await db[model.VIEWERS].update_one(
        {"_id": visitor_key(conversation_id)},
        {"$set": {"conversation_id": conversation_id, "user_id": None, "visitor": True, "name": name,
                  "expires_at": until, "typing_until": until, "updated_at": now}}, upsert=True)
