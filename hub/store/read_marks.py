"""What each agent has seen of each conversation: one mark per (user, conversation), the newest moment seen.

A conversation is unread for a user when the customer wrote after the user's mark (its
`last_inbound_at` is later), or when the user never opened it. Replies and notes never move
`last_inbound_at`, so an agent's own reply (or a colleague's) makes nothing unread.

The mark's `_id` is "<user id>:<conversation id>": the marks of a page's rows are then one
`_id: {$in: …}` read (the embedded server scans for an `$in` beside another field), and a second mark
for the same pair cannot exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db

MARK_SCAN = 1000  # the marks a view's unread count looks through: the ones the agent made most recently


def mark_id(user_id: ObjectId, conversation_id: ObjectId) -> str:
    return f"{user_id}:{conversation_id}"


async def mark_seen(db: Db, user_id: ObjectId, conversation_id: ObjectId, seen_at: datetime,
                    message_id: ObjectId | None, now: datetime) -> bool:
    """Move the mark forward to `seen_at` (never back: an older page's mark arriving late changes nothing).

    True when the mark moved. One round trip: the conditional upsert either moves an older mark or
    inserts the first one; a newer mark makes it collide with itself on `_id`, which is the "no".
    """
    key = mark_id(user_id, conversation_id)
    try:
        result = await db[model.READ_MARKS].update_one(
            {"_id": key, "seen_at": {"$lt": seen_at}},
            {"$set": {"seen_at": seen_at, "message_id": message_id, "updated_at": now},
             "$setOnInsert": {"user_id": user_id, "conversation_id": conversation_id}},
            upsert=True)
    except DuplicateKeyError:
        return False
    return result.modified_count == 1 or result.upserted_id is not None


async def marks_for(db: Db, user_id: ObjectId, conversation_ids: Iterable[ObjectId]) -> dict[ObjectId, datetime]:
    """When the user last saw each of these conversations (absent: never), in one read."""
    keys = [mark_id(user_id, c) for c in dict.fromkeys(conversation_ids)]
    if not keys:
        return {}
    found = await db[model.READ_MARKS].find({"_id": {"$in": keys}}, {"conversation_id": 1, "seen_at": 1}
                                            ).to_list(len(keys))
    return {m["conversation_id"]: m["seen_at"] for m in found}


def is_unread(conversation: Mapping[str, Any], seen_at: datetime | None) -> bool:
    if seen_at is None:
        return True
    last = conversation.get("last_inbound_at")
    return isinstance(last, datetime) and last > seen_at


async def unread_ids(db: Db, user_id: ObjectId, conversations: Sequence[Mapping[str, Any]]) -> set[ObjectId]:
    """Which of these conversations the user has not seen since the customer last wrote."""
    marks = await marks_for(db, user_id, (c["_id"] for c in conversations))
    return {c["_id"] for c in conversations if is_unread(c, marks.get(c["_id"]))}


async def recent_marks(db: Db, user_id: ObjectId, limit: int = MARK_SCAN) -> dict[ObjectId, datetime]:
    """The user's newest marks (by what they saw), for the views' unread counts."""
    cursor = db[model.READ_MARKS].find({"user_id": user_id}, {"conversation_id": 1, "seen_at": 1})
    found = await cursor.sort("seen_at", DESCENDING).limit(limit).to_list(limit)
    return {m["conversation_id"]: m["seen_at"] for m in found}
