"""Canned responses: short Jinja2 templates agents insert with `/shortcut` in the composer."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc, update_then_get


class ShortcutTaken(Exception):
    pass


async def create(db: Db, shortcut: str, title: str, body: str, by: ObjectId, now: datetime) -> Doc:
    doc: Doc = {"shortcut": shortcut, "title": title, "body": body, "created_by": by, "created_at": now,
                "updated_at": now}
    try:
        result = await db[model.CANNED].insert_one(doc)
    except DuplicateKeyError:
        raise ShortcutTaken(shortcut) from None
    doc["_id"] = result.inserted_id
    return doc


async def update(db: Db, canned_id: ObjectId, fields: dict[str, Any], now: datetime) -> Doc | None:
    try:
        return await update_then_get(db[model.CANNED], {"_id": canned_id}, {"$set": {**fields, "updated_at": now}})
    except DuplicateKeyError:
        raise ShortcutTaken(str(fields.get("shortcut"))) from None


async def delete(db: Db, canned_id: ObjectId) -> bool:
    return (await db[model.CANNED].delete_one({"_id": canned_id})).deleted_count == 1


async def get(db: Db, canned_id: ObjectId) -> Doc | None:
    return await db[model.CANNED].find_one({"_id": canned_id})


async def search(db: Db, prefix: str = "", limit: int = 20) -> list[Doc]:
    """Canned responses whose shortcut starts with `prefix` (anchored, so the shortcut index serves it)."""
    query: Doc = {"shortcut": {"$regex": "^" + re.escape(prefix)}} if prefix else {}
    return await db[model.CANNED].find(query).sort("shortcut", ASCENDING).limit(limit).to_list(limit)
