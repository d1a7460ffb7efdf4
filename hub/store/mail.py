"""State the email channel keeps: IMAP positions, reopen counts, and what threading needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import DESCENDING

from hub import names as model
from hub.store.db import Db, Doc

IMAP_CURSORS = "mail_imap_cursors"
REOPENS = "mail_reopens"


async def imap_cursor(db: Db, mailbox: str, folder: str) -> Doc | None:
    """{uidvalidity, last_uid} for a mailbox folder, or None before its first poll."""
    return await db[IMAP_CURSORS].find_one({"_id": f"{mailbox}|{folder}"})


async def advance_imap_cursor(db: Db, mailbox: str, folder: str, uidvalidity: int, uid: int, now: datetime) -> None:
    """Forward only within one UIDVALIDITY; a new UIDVALIDITY starts over from `uid`."""
    key = f"{mailbox}|{folder}"
    done = await db[IMAP_CURSORS].find_one_and_update(
        {"_id": key, "uidvalidity": uidvalidity, "last_uid": {"$lt": uid}},
        {"$set": {"last_uid": uid, "updated_at": now}},
    )
    if done is None and await db[IMAP_CURSORS].find_one({"_id": key, "uidvalidity": uidvalidity}) is None:
        await db[IMAP_CURSORS].update_one(
            {"_id": key}, {"$set": {"uidvalidity": uidvalidity, "last_uid": uid, "updated_at": now}}, upsert=True
        )


async def reset_imap_cursor(db: Db, mailbox: str, folder: str, uidvalidity: int, now: datetime) -> None:
    await db[IMAP_CURSORS].update_one(
        {"_id": f"{mailbox}|{folder}"},
        {"$set": {"uidvalidity": uidvalidity, "last_uid": 0, "updated_at": now}}, upsert=True,
    )


async def count_reopens(db: Db, sender: str, now: datetime) -> int:
    return await db[REOPENS].count_documents({"sender": sender, "at": {"$gt": now - timedelta(hours=1)}})


async def record_reopen(db: Db, sender: str, conversation_id: ObjectId, now: datetime) -> None:
    await db[REOPENS].insert_one({"sender": sender, "conversation_id": conversation_id, "at": now})


async def last_inbound_email(db: Db, conversation_id: ObjectId) -> Doc | None:
    """The customer's newest mail in a conversation: whom they wrote to, and what to thread under."""
    return await db[model.MESSAGES].find_one(
        {"conversation_id": conversation_id, "direction": model.IN, "channel": "email"},
        sort=[("created_at", DESCENDING)],
    )


async def sent_with_message_ids(db: Db, message_ids: list[str]) -> Doc | None:
    """One of our sent mails among these Message-IDs (a delivery report names the one it is about)."""
    if not message_ids:
        return None
    return await db[model.MESSAGES].find_one(
        {"provider_id": {"$in": message_ids[:50]}, "direction": model.OUT, "channel": "email"}, {"_id": 1})
