"""What admins change about users: role, departments, deactivation (which ends sessions and tokens).

A password reset is `users.replace_password` with no session kept."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import ReturnDocument

from hub import names as model
from hub.store import users
from hub.store.db import Db, Doc

_HIDDEN: Doc = {"password_hash": 0}


async def active_admins(db: Db) -> int:
    return await db[model.USERS].count_documents({"role": "admin", "deactivated_at": None})


async def update(db: Db, user_id: ObjectId, fields: Doc, now: datetime) -> Doc | None:
    return await db[model.USERS].find_one_and_update(
        {"_id": user_id}, {"$set": {**fields, "updated_at": now}}, _HIDDEN, return_document=ReturnDocument.AFTER)


async def deactivate(db: Db, user_id: ObjectId, now: datetime) -> Doc | None:
    """Mark the user inactive, out of routing, and sign them out everywhere (sessions and API tokens)."""
    updated = await db[model.USERS].find_one_and_update(
        {"_id": user_id}, {"$set": {"deactivated_at": now, "routable": False, "status": "offline", "updated_at": now}},
        _HIDDEN, return_document=ReturnDocument.AFTER)
    if updated is not None:
        await users.end_sessions(db, user_id)
        await users.revoke_api_tokens(db, user_id)
    return updated


async def reactivate(db: Db, user_id: ObjectId, now: datetime) -> Doc | None:
    return await db[model.USERS].find_one_and_update(
        {"_id": user_id}, {"$set": {"deactivated_at": None, "updated_at": now}, "$unset": {"routable": ""}},
        _HIDDEN, return_document=ReturnDocument.AFTER)
