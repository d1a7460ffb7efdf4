"""Raw provider payloads, kept before parsing so any message can be replayed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId

from hub import model
from hub.store.db import Db


async def keep(db: Db, channel: str, payload: Mapping[str, Any], now: datetime) -> ObjectId:
    result = await db[model.RAW_INBOUND].insert_one(
        {"channel": channel, "payload": dict(payload), "received_at": now}
    )
    return ObjectId(result.inserted_id)


async def mark(db: Db, raw_id: ObjectId, outcome: str, message_id: ObjectId | None = None) -> None:
    await db[model.RAW_INBOUND].update_one(
        {"_id": raw_id}, {"$set": {"outcome": outcome, "message_id": message_id}}
    )
