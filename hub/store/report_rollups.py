"""Rollups of the counted report events (messages in and out, reopenings), kept on write, so the overview
counts a few documents per quarter hour instead of every message (issue 14: a million messages; README,
Reports). Durations are not rolled up: measured on the embedded server at 3,000-6,000 conversations, rollups
holding every duration value (to keep medians exact) were slower to read than the events themselves, as
nearly every event was alone in its quarter hour and dimensions.

One document per (kind, UTC quarter hour, department, agent, channel, priority, labels) with `n` events. A day in
any time zone starts on a quarter hour (every zone's offset is a multiple of 15 minutes), so a report's
range is a whole number of quarters and the filter's time range selects exactly the events it would. A
range that is not (never from the reports' parser) reads the events instead.

`add_many` follows each batch of events' insert (hub/store/reports.py). A crash between the two loses
the rollups' share of that batch: `rebuild` recomputes them all from the events; a start runs it when the `built` marker
document is missing (delete it to have the next start rebuild).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from pymongo import InsertOne, UpdateOne
from pymongo.errors import BulkWriteError, PyMongoError

from hub import names as model
from hub.clock import utcnow
from hub.db.client import DUPLICATE_KEY
from hub.store.db import Db, Doc
from routing.model import to_utc

log = logging.getLogger(__name__)

ROLLED: Final = ("reopened", "message_in", "message_out")
QUARTER: Final = timedelta(minutes=15)
BUILT: Final = "built"  # the marker document: the rollups hold every event
_DIMENSIONS: Final = ("department_id", "agent_id", "channel", "priority", "labels")


def quarter(at: datetime) -> datetime:
    at = to_utc(at)
    return at.replace(minute=at.minute // 15 * 15, second=0, microsecond=0)


def aligned(start: datetime, end: datetime) -> bool:
    return quarter(start) == to_utc(start) and quarter(end) == to_utc(end)


def _key(event: Mapping[str, Any]) -> str:
    labels = ",".join(sorted(str(label) for label in event.get("labels") or []))
    parts = [event["kind"], quarter(event["at"]).isoformat(), *(str(event.get(d)) for d in _DIMENSIONS[:-1]), labels]
    return "|".join(parts)


def _fresh(event: Mapping[str, Any]) -> Doc:
    doc: Doc = {"kind": event["kind"], "at": quarter(event["at"]),
                **{d: event.get(d) for d in _DIMENSIONS}}
    doc["labels"] = sorted(doc["labels"] or [])
    return doc


async def add_many(db: Db, events: Sequence[Mapping[str, Any]]) -> None:
    """Count a burst's events just inserted: one upsert per rollup key, in one bulk write. Never fails the caller."""
    counts: dict[str, int] = {}
    fresh: dict[str, Doc] = {}
    for event in events:
        if event["kind"] in ROLLED:
            key = _key(event)
            counts[key] = counts.get(key, 0) + 1
            fresh.setdefault(key, _fresh(event))
    keys = list(counts)
    for _ in range(2):  # two first upserts of one key race: the loser's retry updates the winner's document
        if not keys:
            return
        operations = [UpdateOne({"_id": key}, {"$setOnInsert": fresh[key], "$inc": {"n": counts[key]}}, upsert=True)
                      for key in keys]
        try:
            await db[model.REPORT_ROLLUPS].bulk_write(operations, ordered=False)
            return
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != DUPLICATE_KEY for error in errors):
                break
            keys = [keys[error["index"]] for error in errors]
        except PyMongoError:
            break
    log.warning("report rollups not updated: %d keys", len(keys))


async def rebuild(db: Db) -> int:
    """Recompute every rollup from the events; returns how many documents it wrote."""
    grouped: dict[str, Doc] = {}
    async for event in db[model.REPORT_EVENTS].find({"kind": {"$in": list(ROLLED)}}):
        doc = grouped.setdefault(_key(event), {"_id": _key(event), **_fresh(event), "n": 0})
        doc["n"] += 1
    await db[model.REPORT_ROLLUPS].delete_many({})
    if grouped:
        try:
            await db[model.REPORT_ROLLUPS].bulk_write([InsertOne(d) for d in grouped.values()], ordered=False)
        except BulkWriteError:  # another process starting at the same time wrote the same documents
            log.warning("report rollups rebuilt by two processes at once; delete the 'built' marker to rebuild")
    await db[model.REPORT_ROLLUPS].replace_one({"_id": BUILT}, {"kind": BUILT, "at": utcnow()}, upsert=True)
    return len(grouped)


async def ensure_built(db: Db) -> None:
    """At start: rollups for the events written before they existed (once)."""
    if await db[model.REPORT_ROLLUPS].find_one({"_id": BUILT}, {"_id": 1}) is None:
        written = await rebuild(db)
        log.info("report rollups rebuilt from the events: %s documents", written)
