"""Customer satisfaction answers: one rating per conversation, whatever channel it came back on.

`csat_responses` holds `{conversation_id (unique), contact_id, department_id, agent_id, channel, score 1..5,
comment, created_at, updated_at}`. The unique conversation index is what makes "asked once, counted once"
hold when two answers race (a double click, a customer answering on two channels): the first score stands,
a later comment is added to it. The reports (hub/store/reports*.py) read this collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc

SCORES = range(1, 6)


@dataclass(frozen=True)
class Recorded:
    response: Doc
    new: bool  # False when the conversation had been rated already (the first score stands)


async def record(db: Db, conversation: Mapping[str, Any], score: int, comment: str | None, channel: str | None,
                 now: datetime) -> Recorded:
    """Store a conversation's rating once; a repeat keeps the first score and adds a comment it lacked."""
    if score not in SCORES:
        raise ValueError(f"a rating is a whole number from 1 to 5, not {score!r}")
    comment = (comment or "").strip() or None
    doc: Doc = {"conversation_id": conversation["_id"], "contact_id": conversation.get("contact_id"),
                "department_id": conversation.get("department_id"), "agent_id": conversation.get("assignee_id"),
                "channel": channel, "score": score, "comment": comment, "created_at": now, "updated_at": now}
    try:
        result = await db[model.CSAT_RESPONSES].insert_one(doc)
    except DuplicateKeyError:
        existing = await for_conversation(db, conversation["_id"])
        assert existing is not None
        if comment and not existing.get("comment"):
            await db[model.CSAT_RESPONSES].update_one({"_id": existing["_id"], "comment": None},
                                                      {"$set": {"comment": comment, "updated_at": now}})
            existing = {**existing, "comment": comment, "updated_at": now}
        return Recorded(existing, False)
    doc["_id"] = result.inserted_id
    return Recorded(doc, True)


async def add_comment(db: Db, conversation_id: ObjectId, comment: str, now: datetime) -> Doc | None:
    """A comment sent after the score (the email page's second step): replaces an earlier comment."""
    comment = comment.strip()
    if not comment:
        return await for_conversation(db, conversation_id)
    found: Doc | None = await db[model.CSAT_RESPONSES].find_one_and_update(
        {"conversation_id": conversation_id}, {"$set": {"comment": comment, "updated_at": now}},
        return_document=True)
    return found


async def for_conversation(db: Db, conversation_id: ObjectId) -> Doc | None:
    found: Doc | None = await db[model.CSAT_RESPONSES].find_one({"conversation_id": conversation_id})
    return found
