"""Per channel: when the last customer message arrived and why the last reply failed (admin status page)."""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from hub import names as model
from hub.store.db import Db, Doc


async def last_inbound(db: Db, channel: str) -> Doc | None:
    return await db[model.MESSAGES].find_one(
        {"channel": channel, "direction": model.IN}, {"created_at": 1, "conversation_id": 1},
        sort=[("channel", ASCENDING), ("direction", ASCENDING), ("created_at", DESCENDING)],
    )


async def last_failure(db: Db, channel: str) -> Doc | None:
    return await db[model.MESSAGES].find_one(
        {"channel": channel, "status": "failed"}, {"error": 1, "updated_at": 1, "failed_at": 1, "conversation_id": 1},
        sort=[("channel", ASCENDING), ("status", ASCENDING), ("updated_at", DESCENDING)],
    )
