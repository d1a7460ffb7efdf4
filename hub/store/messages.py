"""Messages: the timeline of a conversation, and (for direction=out) the outbox rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store import message_keys
from hub.store.db import Db, Doc, update_then_get
from hub.store.documents import Message, as_message, messages_in


def external_key(channel: str, external_id: str) -> str:
    return f"{channel}:{external_id}"


def raw_key(raw_id: ObjectId) -> str:
    """The dedupe key of a message with no provider id: the payload it came from, so a replay finds it."""
    return f"raw:{raw_id}"


async def insert_unique(db: Db, doc: Doc, now: datetime | None = None) -> tuple[Message, bool]:
    """Insert; when its unique key (provider id, or the agent's client key) names a message return that instead.

    Returns (message, created). The key is claimed first (hub/store/message_keys.py); concurrent copies,
    or a copy finishing a crashed one's job, insert with the key's message id, so one message results.
    """
    key = message_keys.key_of(doc)
    if key is not None:
        [(message_id, existing)] = await message_keys.claim(db, [(key, ObjectId())], now or doc["created_at"])
        if existing is not None:
            return existing, False
        doc["_id"] = message_id
    try:
        result = await db[model.MESSAGES].insert_one(doc)
    except DuplicateKeyError:
        existing = await messages_in(db).find_one({"_id": doc["_id"]}) if "_id" in doc else None
        if existing is None:  # pragma: no cover - the _id index says it exists
            raise
        return existing, False
    doc["_id"] = result.inserted_id
    return as_message(doc), True


async def find_external(db: Db, channel: str, external_id: str) -> Message | None:
    return await message_keys.message_for(db, external_key(channel, external_id))


async def get(db: Db, message_id: ObjectId) -> Message | None:
    return await messages_in(db).find_one({"_id": message_id})


# Keyset pages use the (conversation_id, created_at) index with a plain range and settle ties on
# _id in Python: the embedded server scans the whole collection as soon as a query holds an $or.


async def timeline(
    db: Db, conversation_id: ObjectId, *, after: tuple[datetime, ObjectId] | None = None, limit: int = 1000,
) -> list[Message]:
    query: Doc = {"conversation_id": conversation_id}
    if after is not None:
        query["created_at"] = {"$gte": after[0]}
    cursor = messages_in(db).find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
    if after is None:
        return await cursor.limit(limit).to_list(limit)
    found = await cursor.limit(limit + _TIES).to_list(limit + _TIES)
    return [m for m in found if (m["created_at"], m["_id"]) > after][:limit]


_TIES = 50  # entries sharing one millisecond with the keyset point, fetched and dropped in Python


async def timeline_tail(db: Db, conversation_id: ObjectId, *, before: tuple[datetime, ObjectId] | None = None,
                        limit: int = 150) -> tuple[list[Message], bool]:
    """The newest `limit` entries (before a point, for "load earlier"), oldest first, and whether more
    lie before them. A long conversation's page then costs what its last screenfuls cost."""
    query: Doc = {"conversation_id": conversation_id}
    if before is not None:
        query["created_at"] = {"$lte": before[0]}
    cursor = messages_in(db).find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
    extra = _TIES if before is not None else 0
    newest = await cursor.limit(limit + 1 + extra).to_list(limit + 1 + extra)
    if before is not None:
        newest = [m for m in newest if (m["created_at"], m["_id"]) < before]
    return list(reversed(newest[:limit])), len(newest) > limit


async def contact_history(db: Db, contact_id: ObjectId, limit: int = 200) -> list[Message]:
    """The newest `limit` messages of a contact across conversations, oldest first."""
    cursor = messages_in(db).find({"contact_id": contact_id, "direction": {"$ne": model.NOTE}})
    newest = await cursor.sort([("created_at", DESCENDING), ("_id", DESCENDING)]).limit(limit).to_list(limit)
    return list(reversed(newest))


async def insert_event(db: Db, conversation: Mapping[str, Any], text: str, data: Doc, now: datetime,
                       author: Mapping[str, Any] | None = None) -> Message:
    """A timeline event (routing decision, assignment, status change) shown between messages."""
    doc: Doc = {"conversation_id": conversation["_id"], "contact_id": conversation.get("contact_id"),
                "direction": model.EVENT, "kind": "event", "channel": None, "text": text, "data": data,
                "author": author or {"type": "system"}, "created_at": now}
    result = await db[model.MESSAGES].insert_one(doc)
    doc["_id"] = result.inserted_id
    return as_message(doc)


async def is_first_inbound(db: Db, conversation_id: ObjectId, message_id: ObjectId) -> bool:
    """Whether this customer message is the conversation's only one so far (a new conversation's first)."""
    earlier = await messages_in(db).find_one({"conversation_id": conversation_id, "direction": model.IN,
                                              "_id": {"$ne": message_id}}, {"_id": 1})
    return earlier is None


# --- outbox -----------------------------------------------------------------------------------------

# An outbox row named by its id, or by the row itself: then its conversation_id joins the filter, which
# makes the write targeted on a cluster sharded by conversation_id (docs/scaling.md).
RowRef = ObjectId | Mapping[str, Any]


def row(ref: RowRef) -> Doc:
    if isinstance(ref, ObjectId):
        return {"_id": ref}
    found: Doc = {"_id": ref["_id"]}
    if isinstance(ref.get("conversation_id"), ObjectId):
        found["conversation_id"] = ref["conversation_id"]
    return found


async def enqueue(db: Db, doc: Doc) -> tuple[Message, bool]:
    """An outbound message is born queued; `client_id` makes a double submit one message."""
    doc.setdefault("status", "queued")
    doc["status_rank"] = model.STATUS_RANK[doc["status"]]
    doc.setdefault("attempts", 0)
    doc.setdefault("next_attempt_at", doc["created_at"])
    doc.setdefault("lease_until", None)
    return await insert_unique(db, doc)


async def lease_due(db: Db, owner: str, now: datetime, lease_seconds: float,
                    busy: set[ObjectId] | None = None) -> Message | None:
    """Take the oldest due queued reply whose lease is free or expired (a crashed owner's).

    `owner` is unique to this attempt (never a process id, which all its workers share), so only
    this attempt can renew the lease or record the outcome. The candidates come from the
    (status, next_attempt_at) index alone: the embedded server scans the whole collection once an
    $or joins the query. The lease condition is then checked in the conditional update on one _id,
    which stays atomic: two dispatchers cannot both win a row. `busy`: rows this process's other workers
    are taking or sending, skipped; the row won is added (the caller removes it when done with it).
    """
    candidates = await messages_in(db).find(
        {"status": "queued", "next_attempt_at": {"$lte": now}},
    ).sort("next_attempt_at", ASCENDING).limit(LEASE_CANDIDATES).to_list(LEASE_CANDIDATES)
    busy = set() if busy is None else busy
    for candidate in candidates:
        lease = candidate.get("lease_until")
        if (lease is not None and lease >= now) or candidate["_id"] in busy:
            continue  # another dispatcher is sending it right now
        until = now + timedelta(seconds=lease_seconds)
        busy.add(candidate["_id"])  # before the write: a sibling reading the same rows meanwhile skips it
        try:
            taken = await db[model.MESSAGES].update_one(
                {**row(candidate), "status": "queued", "lease_until": lease},
                {"$set": {"lease_until": until, "lease_owner": owner}, "$inc": {"attempts": 1}},
            )
        except BaseException:
            busy.discard(candidate["_id"])
            raise
        if taken.modified_count != 1:
            busy.discard(candidate["_id"])
        else:
            # The row as the update left it: nothing else changes a queued row whose lease this attempt won.
            return as_message({**candidate, "lease_until": until, "lease_owner": owner,
                               "attempts": int(candidate.get("attempts") or 0) + 1})
    return None


LEASE_CANDIDATES = 16  # the oldest due rows read per look (whole documents: the winner needs no read-back)


async def extend_lease(db: Db, message_id: RowRef, owner: str, until: datetime) -> bool:
    """Renew the lease while a send runs; False once another attempt owns the row (or it is settled)."""
    renewed = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"}, {"$set": {"lease_until": until}})
    return renewed.matched_count == 1


async def record_attempt_started(db: Db, message_id: RowRef, owner: str, number: int, now: datetime) -> bool:
    """Written just before the request leaves: if the attempt never records its outcome, the next one
    knows the provider may have it. False when this attempt no longer owns the row."""
    started = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"},
        {"$set": {"attempt_owner": owner, "attempt_number": number, "attempt_started_at": now}})
    return started.matched_count == 1


async def mark_uncertain(db: Db, message_id: RowRef, owner: str, reason: str, now: datetime) -> bool:
    """A channel that cannot look an unsettled attempt up resends blindly, once: say so on the message."""
    marked = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"},
        {"$set": {"delivery_uncertain": reason, "updated_at": now}, "$inc": {"uncertain_resends": 1}})
    return marked.matched_count == 1


_SETTLED: Doc = {"lease_until": None, "attempt_started_at": None}


async def mark_sent(db: Db, message_id: RowRef, owner: str, provider_id: str | None, status: str,
                    now: datetime, *, adopted: bool = False) -> Message | None:
    """Only the attempt that owns the lease records the send; a stale attempt gets None. Given the row
    itself (the dispatcher's), the answer is that row as updated, without reading it back."""
    update: Doc = {"status": status, "status_rank": model.STATUS_RANK[status], "provider_id": provider_id,
                   "sent_at": now, "updated_at": now, "error": None, **_SETTLED}
    if adopted:
        update["reconciled_at"] = now
    if not isinstance(message_id, ObjectId):
        recorded = await db[model.MESSAGES].update_one(
            {**row(message_id), "lease_owner": owner, "status": "queued"}, {"$set": update})
        return as_message({**message_id, **update}) if recorded.matched_count == 1 else None
    return await update_then_get(
        messages_in(db), {**row(message_id), "lease_owner": owner, "status": "queued"}, {"$set": update},
        return_document=ReturnDocument.AFTER,
    )


async def schedule_retry(db: Db, message_id: RowRef, owner: str, reason: str, at: datetime,
                         now: datetime, *, outcome_unknown: bool = False) -> bool:
    """Free the row for a later attempt. With `outcome_unknown` the attempt stays recorded as started,
    so the next one reconciles before it sends. False when this attempt no longer owns the row."""
    update: Doc = {"next_attempt_at": at, "lease_until": None, "last_error": reason, "updated_at": now}
    if not outcome_unknown:
        update["attempt_started_at"] = None
    retried = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"}, {"$set": update})
    return retried.matched_count == 1


async def mark_failed(db: Db, message_id: RowRef, reason: str, now: datetime,
                      owner: str | None = None) -> Message | None:
    query: Doc = {**row(message_id), "status_rank": {"$lt": model.STATUS_RANK["failed"]}}
    if owner is not None:
        query["lease_owner"] = owner
    return await update_then_get(
        messages_in(db), query,
        {"$set": {"status": "failed", "status_rank": model.STATUS_RANK["failed"], "error": reason,
                  "failed_at": now, "updated_at": now, **_SETTLED}},
        return_document=ReturnDocument.AFTER,
    )


async def advance_status(db: Db, query: Doc, status: str, now: datetime, error: str | None = None
                         ) -> Message | None:
    """Move a message's status forward only: a late 'sent' never undoes 'delivered'."""
    rank = model.STATUS_RANK[status]
    update: dict[str, Any] = {"status": status, "status_rank": rank, "updated_at": now, f"{status}_at": now}
    if error is not None:
        update["error"] = error
    return await update_then_get(
        messages_in(db), {**query, "status_rank": {"$lt": rank}}, {"$set": update}
    )


async def retry_failed(db: Db, message_id: ObjectId, now: datetime) -> Message | None:
    """An agent asks to send a failed reply again: back to queued, attempts reset. The agent has seen
    any "may have been delivered" warning, so the blind resend it allows starts afresh too."""
    return await update_then_get(
        messages_in(db), {"_id": message_id, "direction": model.OUT, "status": "failed"},
        {"$set": {"status": "queued", "status_rank": 0, "attempts": 0, "next_attempt_at": now,
                  "lease_until": None, "error": None, "updated_at": now, "attempt_started_at": None,
                  "uncertain_resends": 0, "delivery_uncertain": None}},
        return_document=ReturnDocument.AFTER,
    )


async def record_edit(db: Db, message_id: ObjectId, text: str, edited_at: datetime) -> Message | None:
    """The customer edited a message: new text in place, the earlier one kept in `edits`, oldest first.

    Replays are no-ops (an edit not newer than the last one recorded changes nothing); the
    compare-and-set on the old text keeps two concurrent edits from losing a version.
    """
    for _ in range(5):
        current = await messages_in(db).find_one({"_id": message_id})
        if current is None:
            return None
        last = current.get("edited_at")
        if (last is not None and last >= edited_at) or current.get("text") == text:
            return current
        updated = await update_then_get(
            messages_in(db), {"_id": message_id, "text": current.get("text"), "edited_at": last},
            {"$set": {"text": text, "edited_at": edited_at, "updated_at": edited_at},
             "$push": {"edits": {"text": current.get("text", ""), "replaced_at": edited_at}}},
            return_document=ReturnDocument.AFTER,
        )
        if updated is not None:
            return updated
    return await messages_in(db).find_one({"_id": message_id})


async def set_attachments(db: Db, message_id: ObjectId, attachments: list[Doc], now: datetime
                          ) -> Message | None:
    """Replace a message's attachments once they are downloaded (or refused, with the reason)."""
    return await update_then_get(
        messages_in(db), {"_id": message_id}, {"$set": {"attachments": attachments, "updated_at": now}},
        return_document=ReturnDocument.AFTER,
    )


async def keep_outbound_header(db: Db, message_id: ObjectId, name: str, value: str) -> str:
    """The header a channel must repeat on every attempt (an email's Message-ID): stored before the
    first attempt leaves; later attempts get the stored one back, whatever they propose."""
    field = f"outbound_headers.{name}"
    await db[model.MESSAGES].update_one({"_id": message_id, field: {"$exists": False}}, {"$set": {field: value}})
    found = await db[model.MESSAGES].find_one({"_id": message_id}, {field: 1})
    kept = ((found or {}).get("outbound_headers") or {}).get(name)
    return kept if isinstance(kept, str) else value


async def find_provider(db: Db, channels: list[str], provider_id: str) -> Message | None:
    """The reply a provider's status callback names, on one of its channels."""
    return await messages_in(db).find_one({"provider_id": provider_id, "channel": {"$in": channels}})
