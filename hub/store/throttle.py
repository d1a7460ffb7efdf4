"""Counters that slow down guessing: sign-ins, verification codes, anything keyed by a string.

A key (e.g. ``login:account:ana@example.com`` or ``login:address:203.0.113.9``) counts failures.
The first ``free`` failures cost nothing; each one after that makes the next attempt wait twice as
long as the one before, up to ``max_wait`` seconds. Waits always end by themselves (nobody can lock
an account for good by typing its address wrong), and a key that stays quiet for ``forget_after``
seconds is forgotten (TTL index). Kept in MongoDB, so every hub process sees the same counts.

``hit()`` is the other shape: at most ``limit`` events per ``window`` seconds (codes sent per
address per hour), then a wait until the window ends.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc

DEFAULT_FORGET_AFTER = 24 * 3600.0


def wait_seconds(record: Doc | None, now: datetime) -> float:
    """Seconds before the key may try again (0.0: go ahead)."""
    if record is None:
        return 0.0
    until = record.get("wait_until")
    if until is None or until <= now:
        return 0.0
    return float((until - now).total_seconds())


async def check(db: Db, key: str, now: datetime) -> float:
    """Seconds the caller must still wait before another attempt under `key` (0.0: allowed)."""
    return wait_seconds(await db[model.THROTTLES].find_one({"_id": key}), now)


async def failure(db: Db, key: str, now: datetime, *, free: int = 5, base_wait: float = 1.0,
                  max_wait: float = 900.0, forget_after: float = DEFAULT_FORGET_AFTER) -> float:
    """Count one failed attempt; returns the wait it imposes on the next attempt (0.0 while free)."""
    collection = db[model.THROTTLES]
    await collection.update_one(
        {"_id": key},
        {"$inc": {"failures": 1}, "$set": {"last_at": now, "expires_at": now + timedelta(seconds=forget_after)}},
        upsert=True,
    )
    record = await collection.find_one({"_id": key}) or {}
    over = int(record.get("failures", 1)) - free
    if over <= 0:
        return 0.0
    wait = float(min(base_wait * (2 ** (over - 1)), max_wait))
    await collection.update_one({"_id": key}, {"$set": {"wait_until": now + timedelta(seconds=wait)}})
    return wait


async def success(db: Db, key: str) -> None:
    """A right answer forgets the key's failures."""
    await db[model.THROTTLES].delete_one({"_id": key})


async def hit(db: Db, key: str, now: datetime, *, limit: int, window: float) -> float:
    """Count one event under `key`; 0.0 if it is within `limit` per `window` seconds, else the seconds
    until the window ends (the event is then not counted)."""
    window_index = int(now.timestamp() // window)
    try:
        # One round trip: the count only grows while under the limit; at the limit the filter misses and
        # the upsert's insert meets the existing window's _id.
        await db[model.THROTTLES].update_one(
            {"_id": f"{key}@{window_index}", "events": {"$lt": limit}},
            {"$inc": {"events": 1}, "$set": {"expires_at": now + timedelta(seconds=window * 2)}},
            upsert=True,
        )
    except DuplicateKeyError:
        return max((window_index + 1) * window - now.timestamp(), 0.0)
    return 0.0
