"""Leases: one hub process at a time does a periodic job; another takes over when the lease lapses."""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db


async def acquire(db: Db, name: str, owner: str, now: datetime, seconds: float) -> bool:
    """Take or renew the lease `name`; False while another owner holds an unexpired one."""
    try:
        # update_one, not findAndModify: the embedded server's findAndModify costs ten times more.
        await db[model.LEASES].update_one(
            {"_id": name, "$or": [{"owner": owner}, {"until": {"$lt": now}}]},
            {"$set": {"owner": owner, "until": now + timedelta(seconds=seconds), "renewed_at": now}},
            upsert=True,
        )
    except DuplicateKeyError:  # the document exists and is someone else's, unexpired
        return False
    return True  # matched (ours or lapsed) or inserted (nobody had it)


async def release(db: Db, name: str, owner: str) -> None:
    await db[model.LEASES].delete_one({"_id": name, "owner": owner})
