"""Website chat read receipts, both ways, kept on the messages themselves so a reload shows them again.

- An agent saw the visitor's messages: the newest webchat message of the conversation that the agent's
  read mark covers gets `agent_seen_at`; the widget reads every earlier message of the visitor as seen
  too (one write per opening, not one per message, and one change-stream event to carry it).
- The visitor saw an agent's replies: every reply of that conversation to this visitor up to the one the
  widget names moves to status "read" (forward only: a failed or queued reply is left as it is).

Typing never comes here: it lives in the expiring conversation_viewers records (hub/store/viewers.py).
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from channels.base import WEBCHAT
from hub import names as model
from hub.store.db import Db

SEEN_FIELD = "agent_seen_at"


async def agent_saw(db: Db, conversation_id: ObjectId, upto: datetime, now: datetime) -> ObjectId | None:
    """Mark the newest visitor message at or before `upto` as seen by an agent; its id when it moved."""
    newest = await db[model.MESSAGES].find(
        {"conversation_id": conversation_id, "created_at": {"$lte": upto}},
        {"direction": 1, "channel": 1, SEEN_FIELD: 1},
    ).sort("created_at", DESCENDING).limit(20).to_list(20)
    for doc in newest:
        if doc.get("direction") != model.IN or doc.get("channel") != WEBCHAT:
            continue
        if doc.get(SEEN_FIELD) is not None:
            return None  # already seen: nothing newer from the visitor to mark
        result = await db[model.MESSAGES].update_one(
            {"_id": doc["_id"], "conversation_id": conversation_id, SEEN_FIELD: None},  # targeted when sharded
            {"$set": {SEEN_FIELD: now}})
        return doc["_id"] if result.modified_count else None
    return None


async def visitor_read(db: Db, visitor_id: str, message_id: ObjectId, now: datetime) -> int:
    """The visitor's widget showed reply `message_id`: it and the replies before it to them are read."""
    to = {"kind": WEBCHAT, "value": visitor_id}
    shown = await db[model.MESSAGES].find_one({"_id": message_id, "direction": model.OUT, "to": to},
                                              {"conversation_id": 1, "created_at": 1})
    if shown is None:
        return 0
    rank = model.STATUS_RANK["read"]
    result = await db[model.MESSAGES].update_many(
        {"conversation_id": shown["conversation_id"], "created_at": {"$lte": shown["created_at"]},
         "direction": model.OUT, "to": to, "status": {"$in": ["sent", "delivered"]}},
        {"$set": {"status": "read", "status_rank": rank, "read_at": now, "updated_at": now}})
    return result.modified_count
