"""Canned responses: short Jinja2 templates agents insert with `/shortcut` in the composer.

Each belongs to one scope, kept as a string so one unique index on (scope, shortcut) holds every rule:
"shared" (everyone), "dept:<id>" (that department's agents), "user:<id>" (its owner only). A shortcut is
unique within its scope, so a personal /hi may stand beside a shared /hi and shadows it for its owner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc, update_then_get

SHARED = "shared"


class ShortcutTaken(Exception):
    pass


def scope_key(owner_id: ObjectId | None, department_id: ObjectId | None) -> str:
    if owner_id is not None:
        return f"user:{owner_id}"
    return f"dept:{department_id}" if department_id is not None else SHARED


async def create(db: Db, shortcut: str, title: str, body: str, by: ObjectId, now: datetime, *,
                 owner_id: ObjectId | None = None, department_id: ObjectId | None = None) -> Doc:
    doc: Doc = {"shortcut": shortcut, "title": title, "body": body, "scope": scope_key(owner_id, department_id),
                "owner_id": owner_id, "department_id": department_id, "created_by": by, "created_at": now,
                "updated_at": now}
    try:
        result = await db[model.CANNED].insert_one(doc)
    except DuplicateKeyError:
        raise ShortcutTaken(shortcut) from None
    doc["_id"] = result.inserted_id
    return doc


async def update(db: Db, canned_id: ObjectId, fields: dict[str, Any], now: datetime) -> Doc | None:
    """Change text fields, or move it to another scope (`owner_id` / `department_id` given together)."""
    if "owner_id" in fields or "department_id" in fields:
        fields = {**fields, "scope": scope_key(fields.get("owner_id"), fields.get("department_id"))}
    try:
        return await update_then_get(db[model.CANNED], {"_id": canned_id}, {"$set": {**fields, "updated_at": now}})
    except DuplicateKeyError:
        raise ShortcutTaken(str(fields.get("shortcut"))) from None


async def delete(db: Db, canned_id: ObjectId) -> bool:
    return (await db[model.CANNED].delete_one({"_id": canned_id})).deleted_count == 1


async def get(db: Db, canned_id: ObjectId) -> Doc | None:
    return await db[model.CANNED].find_one({"_id": canned_id})


def _prefix(prefix: str) -> Doc:
    return {"shortcut": {"$regex": "^" + re.escape(prefix)}} if prefix else {}


async def in_scopes(db: Db, scopes: Iterable[str], prefix: str = "", limit: int = 20) -> list[Doc]:
    """Those of the given scopes whose shortcut starts with `prefix`, by shortcut."""
    query: Doc = {"scope": {"$in": list(scopes)}, **_prefix(prefix)}
    return await db[model.CANNED].find(query).sort([("shortcut", ASCENDING), ("scope", ASCENDING)]) \
        .limit(limit).to_list(limit)


async def usable(db: Db, user_id: ObjectId, department_ids: Iterable[ObjectId], prefix: str = "",
                 limit: int = 20) -> list[Doc]:
    """What this user may insert, their own first; then their departments' and the shared ones by shortcut.

    One per shortcut: a personal one hides a team one of the same shortcut, and a department's hides the
    shared one (two of the user's departments with the same shortcut both show: neither is more theirs)."""
    mine = await in_scopes(db, [scope_key(user_id, None)], prefix, limit)
    taken = {d["shortcut"] for d in mine}
    found = list(mine)
    team = [SHARED, *(scope_key(None, d) for d in department_ids)]
    by_department: set[str] = set()
    cursor = db[model.CANNED].find({"scope": {"$in": team}, **_prefix(prefix)}) \
        .sort([("shortcut", ASCENDING), ("scope", ASCENDING)])  # "dept:…" sorts before "shared"
    async for doc in cursor:
        if len(found) >= limit:
            break
        shortcut = doc["shortcut"]
        if shortcut in taken or (doc["scope"] == SHARED and shortcut in by_department):
            continue
        if doc["scope"] != SHARED:
            by_department.add(shortcut)
        found.append(doc)
    await cursor.close()
    return found


async def search(db: Db, prefix: str = "", limit: int = 20) -> list[Doc]:
    """Shared and department canned responses (what the admin page manages), by shortcut; no personal ones."""
    query: Doc = {"owner_id": None, **_prefix(prefix)}  # None matches a missing field too
    return await db[model.CANNED].find(query).sort([("shortcut", ASCENDING), ("scope", ASCENDING)]) \
        .limit(limit).to_list(limit)
