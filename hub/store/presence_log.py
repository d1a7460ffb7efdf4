"""Agents' presence over time, for the reports' "time online" (issue 14).

One document per change, `{user_id, at, state}` with state online, away or offline: what the agent said
(`status`) while connected to a live inbox, offline while not connected. Written when the status changes
(hub/store/agents.py update_profile), when an agent's first live stream opens and when their last one
closes. An agent's time online over a range is the sum of the spans between an `online` change and the
next change, cut to the range (and to now); the state at the range's start is the latest change before it.
A process that dies without closing its streams leaves no `offline` change: such a span ends at the
agent's next change (the heartbeat's expiry is not recorded).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from bson import ObjectId
from pymongo.errors import PyMongoError

from hub import names as model
from hub.store.db import Db, Doc

log = logging.getLogger(__name__)

STATES: Final = ("online", "away", "offline")


def state_of(status: object, connected: bool) -> str:
    if not connected:
        return "offline"
    return status if isinstance(status, str) and status in STATES else "online"


async def record(db: Db, user_id: ObjectId, state: str, at: datetime) -> None:
    """Never fails the caller: presence itself matters more than its history."""
    try:
        await db[model.PRESENCE_LOG].insert_one({"user_id": user_id, "at": at, "state": state})
    except PyMongoError:
        log.warning("presence change not recorded user=%s state=%s", user_id, state, exc_info=True)


async def online_seconds(db: Db, start: datetime, end: datetime, now: datetime,
                         user_ids: Iterable[ObjectId] | None = None) -> dict[ObjectId, float]:
    """Seconds each agent was online within [start, min(end, now))."""
    end = min(end, now)
    who: Doc = {} if user_ids is None else {"user_id": {"$in": list(user_ids)}}
    before = db[model.PRESENCE_LOG].aggregate([
        {"$match": {**who, "at": {"$lt": start}}}, {"$sort": {"at": 1, "_id": 1}},
        {"$group": {"_id": "$user_id", "state": {"$last": "$state"}}},
        {"$match": {"state": "online"}}])
    since: dict[ObjectId, datetime] = {row["_id"]: start async for row in await before}
    totals: dict[ObjectId, float] = dict.fromkeys(since, 0.0)
    if end <= start:
        return totals
    changes = db[model.PRESENCE_LOG].find({**who, "at": {"$gte": start, "$lt": end}},
                                          {"_id": 0, "user_id": 1, "at": 1, "state": 1})
    async for change in changes.sort([("at", 1), ("_id", 1)]):
        user = change["user_id"]
        totals.setdefault(user, 0.0)
        began = since.pop(user, None)
        if began is not None:
            totals[user] += (change["at"] - began).total_seconds()
        if change["state"] == "online":
            since[user] = change["at"]
    for user, began in since.items():
        totals[user] += (end - began).total_seconds()
    return totals
