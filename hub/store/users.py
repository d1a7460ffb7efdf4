"""Users, departments, login sessions and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc


class AlreadyExists(ValueError):
    pass


async def ensure_department(db: Db, name: str, now: datetime) -> Doc:
    doc = await db[model.DEPARTMENTS].find_one_and_update(
        {"name": name},
        {"$setOnInsert": {"name": name, "created_at": now}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert doc is not None
    return doc


async def department_by_name(db: Db, name: str) -> Doc | None:
    return await db[model.DEPARTMENTS].find_one({"name": name})


async def create_user(db: Db, email: str, name: str, password_hash: str, role: str,
                      department_ids: list[ObjectId], now: datetime) -> Doc:
    doc: Doc = {"email": email.strip().lower(), "name": name, "password_hash": password_hash, "role": role,
                "department_ids": department_ids, "created_at": now, "status": "online"}
    try:
        result = await db[model.USERS].insert_one(doc)
    except DuplicateKeyError:
        raise AlreadyExists(f"a user with email {doc['email']} already exists") from None
    doc["_id"] = result.inserted_id
    return doc


async def user_by_email(db: Db, email: str) -> Doc | None:
    return await db[model.USERS].find_one({"email": email.strip().lower()})


async def user(db: Db, user_id: ObjectId) -> Doc | None:
    return await db[model.USERS].find_one({"_id": user_id})


async def users(db: Db) -> list[Doc]:
    return await db[model.USERS].find({}, {"password_hash": 0}).sort("name", ASCENDING).to_list(10_000)


async def count_users(db: Db) -> int:
    return await db[model.USERS].count_documents({})


async def replace_password(db: Db, user_id: ObjectId, password_hash: str, now: datetime, *,
                           keep_session: str | None = None) -> bool:
    """Set a new password and sign the user out everywhere else: every session but `keep_session`
    and every API token (a token made by whoever knew the old password must not outlive it).
    False when there is no such user."""
    result = await db[model.USERS].update_one(
        {"_id": user_id}, {"$set": {"password_hash": password_hash, "password_changed_at": now, "updated_at": now}})
    if result.matched_count == 0:
        return False
    await end_sessions(db, user_id, keep=keep_session)
    await revoke_api_tokens(db, user_id)
    return True


async def set_language(db: Db, user_id: ObjectId, language: str | None, now: datetime) -> bool:
    """The interface language the user picked; None forgets it (the browser's Accept-Language decides)."""
    change: Doc = {"$set": {"language": language, "updated_at": now}} if language else {
        "$unset": {"language": ""}, "$set": {"updated_at": now}}
    result = await db[model.USERS].update_one({"_id": user_id}, change)
    return result.matched_count > 0


async def set_signature(db: Db, user_id: ObjectId, signature: str, now: datetime) -> bool:
    """The text under the user's email replies (checked by hub.outbound.email_reply); "" removes it."""
    change: Doc = {"$set": {"signature": signature, "updated_at": now}} if signature else {
        "$unset": {"signature": ""}, "$set": {"updated_at": now}}
    result = await db[model.USERS].update_one({"_id": user_id}, change)
    return result.matched_count > 0


# --- sessions ---------------------------------------------------------------------------------------


async def create_session(db: Db, session_id: str, user_id: ObjectId, csrf: str, now: datetime,
                         expires_at: datetime) -> None:
    await db[model.SESSIONS].insert_one(
        {"_id": session_id, "user_id": user_id, "csrf": csrf, "created": now, "expires_at": expires_at}
    )


async def session(db: Db, session_id: str, now: datetime) -> Doc | None:
    return await db[model.SESSIONS].find_one({"_id": session_id, "expires_at": {"$gt": now}})


async def live_session_ids(db: Db, session_ids: list[str], now: datetime) -> set[str]:
    """Which of `session_ids` still exist and have not expired (one read for many open streams)."""
    if not session_ids:
        return set()
    docs = await db[model.SESSIONS].find({"_id": {"$in": session_ids}, "expires_at": {"$gt": now}},
                                         {"_id": 1}).to_list(None)
    return {d["_id"] for d in docs}


async def delete_session(db: Db, session_id: str) -> None:
    await db[model.SESSIONS].delete_one({"_id": session_id})


async def end_sessions(db: Db, user_id: ObjectId, *, keep: str | None = None) -> int:
    """Delete the user's sessions (all, or all but `keep`); returns how many ended."""
    query: Doc = {"user_id": user_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    return (await db[model.SESSIONS].delete_many(query)).deleted_count


# --- API tokens ---------------------------------------------------------------------------------------


async def create_api_token(db: Db, token_hash: str, user_id: ObjectId, label: str, now: datetime) -> None:
    await db[model.API_TOKENS].insert_one(
        {"token_hash": token_hash, "user_id": user_id, "label": label, "created_at": now}
    )


async def api_token(db: Db, token_hash: str) -> Doc | None:
    return await db[model.API_TOKENS].find_one({"token_hash": token_hash})


async def live_token_hashes(db: Db, token_hashes: list[str]) -> set[str]:
    """Which of `token_hashes` are still tokens (not revoked); one read for many open streams."""
    if not token_hashes:
        return set()
    docs = await db[model.API_TOKENS].find({"token_hash": {"$in": token_hashes}},
                                           {"token_hash": 1}).to_list(None)
    return {d["token_hash"] for d in docs}


async def revoke_api_tokens(db: Db, user_id: ObjectId) -> int:
    return (await db[model.API_TOKENS].delete_many({"user_id": user_id})).deleted_count


async def user_map(db: Db, ids: list[Any]) -> dict[ObjectId, Doc]:
    wanted = [i for i in set(ids) if isinstance(i, ObjectId)]
    if not wanted:
        return {}
    docs = await db[model.USERS].find({"_id": {"$in": wanted}}, {"password_hash": 0}).to_list(len(wanted))
    return {d["_id"]: d for d in docs}


# --- what notifications need of users (hub/live/notify.py, hub/actions/notifications.py) ------------------
# Kept on the user: which kinds this person wants as browser notifications, and the sound.
NOTIFICATION_PREFS_FIELD = "notification_prefs"


async def notification_preferences(db: Db, user_id: ObjectId) -> dict[str, Any]:
    found = await db[model.USERS].find_one({"_id": user_id}, {NOTIFICATION_PREFS_FIELD: 1})
    prefs = (found or {}).get(NOTIFICATION_PREFS_FIELD)
    return dict(prefs) if isinstance(prefs, dict) else {}


async def save_notification_preferences(db: Db, user_id: ObjectId, prefs: dict[str, Any], now: datetime) -> None:
    await db[model.USERS].update_one({"_id": user_id}, {"$set": {NOTIFICATION_PREFS_FIELD: prefs, "updated_at": now}})


async def department_people(db: Db, department_id: ObjectId) -> list[Doc]:
    """Active agents and leads who belong to a department (who a transfer into it concerns)."""
    cursor = db[model.USERS].find({"department_ids": department_id, "role": {"$in": ["agent", "lead"]},
                                   "deactivated_at": None}, {"name": 1, "role": 1})
    return await cursor.to_list(1000)


async def active_user_ids(db: Db, user_ids: list[ObjectId]) -> set[ObjectId]:
    cursor = db[model.USERS].find({"_id": {"$in": user_ids}, "deactivated_at": None}, {"_id": 1})
    return {doc["_id"] for doc in await cursor.to_list(len(user_ids) or 1)}
