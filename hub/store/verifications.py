"""One-time codes a website-chat visitor asks for to prove an email address.

One pending code per visitor (asking again replaces it). Only a keyed hash of the code is stored;
each check spends one try atomically, so two sockets of one visitor cannot share a try. Expired
records are removed by a TTL index (a check also refuses them at once).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ReturnDocument

from hub import names as model
from hub.store.db import Db, Doc


async def start(db: Db, visitor_id: str, kind: str, value: str, code_hash: str, now: datetime,
                valid_seconds: float, tries: int) -> None:
    await db[model.VERIFICATIONS].replace_one(
        {"_id": visitor_id},
        {"kind": kind, "value": value, "code_hash": code_hash, "tries_left": tries, "created_at": now,
         "expires_at": now + timedelta(seconds=valid_seconds)},
        upsert=True,
    )


async def pending(db: Db, visitor_id: str) -> Doc | None:
    return await db[model.VERIFICATIONS].find_one({"_id": visitor_id})


async def spend_try(db: Db, visitor_id: str, now: datetime) -> Doc | None:
    """Take one try of a live code; the record after the try, or None (no code, expired, no tries left)."""
    found: Doc | None = await db[model.VERIFICATIONS].find_one_and_update(
        {"_id": visitor_id, "tries_left": {"$gt": 0}, "expires_at": {"$gt": now}},
        {"$inc": {"tries_left": -1}}, return_document=ReturnDocument.AFTER,
    )
    return found


async def finish(db: Db, visitor_id: str) -> None:
    await db[model.VERIFICATIONS].delete_one({"_id": visitor_id})
