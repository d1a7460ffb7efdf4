"""Agents as routing sees them: status, capacity, skills, languages, load, and live connections.

`open_count` is the number of active conversations assigned to an agent. Routing claims a slot with a
conditional increment (only while open_count < capacity), so two simultaneous events can never push an
agent over capacity; resolving, unassigning and transferring give the slot back. `reconcile_open_counts`
repairs drift left by paths that move conversations without telling routing (a crash, a store-level
status change).

Presence: every live /inbox/events stream keeps one `presence` document alive with heartbeats; the
latest expiry is copied onto the user as `connected_until`, so routing reads agents in one query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument

from hub import names as model
from hub.store import presence_log
from hub.store.db import Db, Doc

DEFAULT_CAPACITY = 5
PROFILE_FIELDS = ("status", "capacity", "skills", "languages", "routable")
_HAS_ROOM: Doc = {"$lt": [{"$ifNull": ["$open_count", 0]}, {"$ifNull": ["$capacity", DEFAULT_CAPACITY]}]}




def routable_query() -> Doc:
    """Agents take conversations; leads and admins only when they opt in (`routable: true`)."""
    return {"$or": [{"role": "agent", "routable": {"$ne": False}}, {"routable": True}]}


def is_routable(doc: Doc) -> bool:
    if doc.get("routable") is True:
        return True
    return doc.get("role") == "agent" and doc.get("routable") is not False


async def routable(db: Db) -> list[Doc]:
    return await db[model.USERS].find(routable_query(), {"password_hash": 0}).to_list(10_000)


async def get(db: Db, user_id: ObjectId) -> Doc | None:
    return await db[model.USERS].find_one({"_id": user_id}, {"password_hash": 0})


async def update_profile(db: Db, user_id: ObjectId, fields: Doc, now: datetime) -> Doc | None:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not an agent profile field: {sorted(unknown)[0]}")
    doc: Doc | None = await db[model.USERS].find_one_and_update(
        {"_id": user_id}, {"$set": {**fields, "updated_at": now}}, {"password_hash": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is not None and "status" in fields:
        connected = (doc.get("connected_until") or now) > now
        await presence_log.record(db, user_id, presence_log.state_of(fields["status"], connected), now)
    return doc


# --- load -------------------------------------------------------------------------------------------


async def claim(db: Db, user_id: ObjectId, now: datetime) -> bool:
    """Take one slot of the agent's capacity if one is free; False when another event got there first."""
    result = await db[model.USERS].update_one(
        {"_id": user_id, "$expr": _HAS_ROOM},
        {"$inc": {"open_count": 1}, "$set": {"last_assigned_at": now}},
    )
    return result.modified_count == 1


async def add_load(db: Db, user_id: ObjectId, now: datetime) -> None:
    """A lead assigned by hand: counted even past capacity (the lead decided so)."""
    await db[model.USERS].update_one({"_id": user_id}, {"$inc": {"open_count": 1},
                                                        "$set": {"last_assigned_at": now}})


async def release(db: Db, user_id: ObjectId) -> None:
    await db[model.USERS].update_one({"_id": user_id, "open_count": {"$gt": 0}}, {"$inc": {"open_count": -1}})


async def reconcile_open_counts(db: Db) -> list[tuple[ObjectId, int, int]]:
    """Set every routable agent's open_count to their real number of active conversations.

    Each fix is conditional on the value read, so a claim racing with it is never overwritten.
    Returns (agent, stored, actual) for each agent fixed.
    """
    cursor = await db[model.CONVERSATIONS].aggregate([
        {"$match": {"active": True, "assignee_id": {"$ne": None}}},
        {"$group": {"_id": "$assignee_id", "n": {"$sum": 1}}},
    ])
    actual = {row["_id"]: int(row["n"]) async for row in cursor}
    fixed: list[tuple[ObjectId, int, int]] = []
    async for agent in db[model.USERS].find({"$or": [routable_query(), {"open_count": {"$gt": 0}}]},
                                            {"open_count": 1}):
        stored = int(agent.get("open_count") or 0)
        real = actual.get(agent["_id"], 0)
        if stored != real:
            result = await db[model.USERS].update_one(
                {"_id": agent["_id"], "open_count": agent.get("open_count")}, {"$set": {"open_count": real}}
            )
            if result.modified_count:
                fixed.append((agent["_id"], stored, real))
    return fixed


# --- presence ---------------------------------------------------------------------------------------


async def presence_open(db: Db, stream_id: str, user_id: ObjectId, process_id: str, now: datetime,
                        expires_at: datetime) -> bool:
    """Record a live stream. True when the user had no live stream before (they just came online)."""
    live_before = await db[model.PRESENCE].count_documents({"user_id": user_id, "expires_at": {"$gt": now}},
                                                           limit=1)
    # Replace, not insert: a record left by this process before a crash may still be there.
    await db[model.PRESENCE].replace_one({"_id": stream_id}, {"user_id": user_id, "process_id": process_id,
                                                              "opened_at": now, "expires_at": expires_at},
                                         upsert=True)
    await db[model.USERS].update_one({"_id": user_id}, {"$max": {"connected_until": expires_at}})
    if live_before == 0:
        user = await db[model.USERS].find_one({"_id": user_id}, {"status": 1})
        await presence_log.record(db, user_id, presence_log.state_of((user or {}).get("status"), True), now)
    return live_before == 0


async def presence_beat_process(db: Db, process_id: str, user_ids: list[ObjectId], expires_at: datetime) -> None:
    """One heartbeat for every agent with a live stream on this process."""
    await db[model.PRESENCE].update_many({"process_id": process_id}, {"$set": {"expires_at": expires_at}})
    await db[model.USERS].update_many({"_id": {"$in": user_ids}}, {"$max": {"connected_until": expires_at}})


async def presence_close(db: Db, stream_id: str, user_id: ObjectId, now: datetime) -> None:
    await db[model.PRESENCE].delete_one({"_id": stream_id})
    others = await db[model.PRESENCE].find({"user_id": user_id, "expires_at": {"$gt": now}}).sort(
        "expires_at", -1).limit(1).to_list(1)
    # Another stream (another tab, another process) keeps the agent connected until it expires; a race
    # with a stream opening right now heals at that stream's next heartbeat.
    until: Any = others[0]["expires_at"] if others else None
    await db[model.USERS].update_one({"_id": user_id}, {"$set": {"connected_until": until}})
    if until is None:
        await presence_log.record(db, user_id, "offline", now)
