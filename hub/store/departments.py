"""Departments' routing settings: business hours, auto-reply templates, strategy, fallback, SLA, lead; and
whether a satisfaction survey follows a resolve (`csat`, hub/outbound/survey_settings.py).

A department keeps its ObjectId as `_id` (what conversations and users point at) and a short `key`
("billing") that people write in routing rules; `key` defaults to the name made into a slug.
"""

from __future__ import annotations

import re
from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument

from hub import names as model
from hub.store.db import Db, Doc

ROUTING_FIELDS = ("key", "strategy", "fallback_after", "sticky", "lead_id", "autoreply", "hours", "sla", "csat")


def slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.casefold()).strip("-")


def key_of(doc: Doc) -> str:
    return str(doc.get("key") or slug(str(doc.get("name") or "")) or doc["_id"])


async def all_departments(db: Db) -> list[Doc]:
    return await db[model.DEPARTMENTS].find().sort("name", ASCENDING).to_list(1000)


async def get(db: Db, department_id: ObjectId) -> Doc | None:
    return await db[model.DEPARTMENTS].find_one({"_id": department_id})


async def update_routing(db: Db, department_id: ObjectId, fields: Doc, now: datetime,
                         name: str | None = None) -> Doc | None:
    unknown = set(fields) - set(ROUTING_FIELDS)
    if unknown:
        raise ValueError(f"not a department routing field: {sorted(unknown)[0]}")
    changes: Doc = {**fields, "updated_at": now}
    if name:
        changes["name"] = name
    return await db[model.DEPARTMENTS].find_one_and_update(
        {"_id": department_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
    )
