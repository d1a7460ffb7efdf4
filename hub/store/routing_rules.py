"""Routing rules, versioned: every save is a new document holding the whole ordered rule set.

One document per save makes a save atomic (no half-replaced rule set is ever read), keeps the history
an admin can look back on, and gives replay the exact rules a past decision used (by version).
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from hub import names as model
from hub.store.db import Db, Doc


async def current(db: Db) -> Doc | None:
    found = await db[model.ROUTING_RULES].find().sort([("saved_at", DESCENDING), ("_id", DESCENDING)]).limit(
        1).to_list(1)
    return found[0] if found else None


async def save(db: Db, rules: list[Doc], version: str, saved_by: ObjectId | None, source: str,
               now: datetime) -> Doc:
    doc: Doc = {"rules": rules, "version": version, "saved_at": now, "saved_by": saved_by, "source": source}
    result = await db[model.ROUTING_RULES].insert_one(doc)
    doc["_id"] = result.inserted_id
    return doc
