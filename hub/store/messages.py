"""Messages: the timeline of a conversation, and (for direction=out) the outbox rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store import message_keys
from hub.store.bulk_writes import GroupedWrites
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
    """Take the oldest due queued reply whose lease is free or expired (one row of `lease_batch`)."""
    taken = await lease_batch(db, owner, now, lease_seconds, 1, busy)
    return taken[0] if taken else None


async def lease_batch(db: Db, owner: str, now: datetime, lease_seconds: float, most: int,
                      busy: set[ObjectId] | None = None, share: int = 1) -> list[Message]:
    """Take up to `most` of the oldest due queued replies whose lease is free or expired (a crashed owner's),
    all under `owner`, oldest first.

    `owner` is unique to this lease (never a process id, which all its workers share), so only this
    lease's attempts can renew it or record outcomes. The candidates come from the (status,
    next_attempt_at) index alone: the embedded server scans the whole collection once an $or joins the
    query. One update_many then takes them, still conditional per row: a row counts only if it is still
    queued, due and holds the lease value read (a free one, None, or one that had run out), so two
    dispatchers cannot both win a row. When some were lost to another dispatcher, the ones won are read
    back by owner. `busy`: rows this process's other workers are taking or sending, skipped; the rows
    won are added (the caller removes them when done with them). `share`: how many workers split the due
    rows; each takes its part of the free rows read (at least one), so a short queue is spread over all.
    """
    busy = set() if busy is None else busy
    look = most + len(busy) + LEASE_SPARE  # the siblings' rows come first (they are the oldest): read past them
    candidates = await messages_in(db).find(
        {"status": "queued", "next_attempt_at": {"$lte": now}},
    ).sort("next_attempt_at", ASCENDING).limit(look).to_list(look)
    free = [c for c in candidates if not (_leased(c, now) or c["_id"] in busy)]
    chosen = free[:min(most, -(-len(free) // max(1, share)))]
    if not chosen:
        return []
    ids = [c["_id"] for c in chosen]
    until = now + timedelta(seconds=lease_seconds)
    busy.update(ids)  # before the write: a sibling reading the same rows meanwhile skips them
    try:
        taken = await db[model.MESSAGES].update_many(
            {**rows(chosen), "status": "queued", "next_attempt_at": {"$lte": now},
             "lease_until": {"$in": list({c.get("lease_until") for c in chosen})}},
            {"$set": {"lease_until": until, "lease_owner": owner}, "$inc": {"attempts": 1}},
        )
        won = set(ids)
        if taken.modified_count != len(chosen):
            won = {m["_id"] async for m in db[model.MESSAGES].find({**rows(chosen), "lease_owner": owner},
                                                                   {"_id": 1})}
    except BaseException:
        busy.difference_update(ids)
        raise
    busy.difference_update(set(ids) - won)
    # The rows as the update left them: nothing else changes a queued row whose lease this owner won.
    return [as_message({**c, "lease_until": until, "lease_owner": owner, "attempts": int(c.get("attempts") or 0) + 1})
            for c in chosen if c["_id"] in won]


LEASE_SPARE = 8  # due rows read past the ones wanted (whole documents: the winners need no read-back)


def _leased(doc: Message, now: datetime) -> bool:
    """Whether another dispatcher is sending the row right now (its lease has not run out)."""
    lease = doc.get("lease_until")
    return lease is not None and lease >= now


def rows(refs: Sequence[Mapping[str, Any]]) -> Doc:
    """Several outbox rows: their ids, and their conversations so the write stays targeted on a cluster."""
    return {"_id": {"$in": [r["_id"] for r in refs]},
            "conversation_id": {"$in": list({r["conversation_id"] for r in refs})}}


def grouped_writes(db: Db) -> GroupedWrites:
    """The dispatcher's bulk of conditional writes to outbox rows (`attempt_started`, `sent`, `retry`, `failed`)."""
    return GroupedWrites(db[model.MESSAGES])


async def read_row(db: Db, ref: Mapping[str, Any]) -> Message | None:
    return await messages_in(db).find_one(row(ref))


async def extend_lease(db: Db, message_id: RowRef, owner: str, until: datetime) -> bool:
    """Renew the lease while a send runs; False once another attempt owns the row (or it is settled)."""
    renewed = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"}, {"$set": {"lease_until": until}})
    return renewed.matched_count == 1


async def extend_leases(db: Db, held: Sequence[Mapping[str, Any]], owner: str, until: datetime) -> int:
    """Renew the lease of rows taken together (`lease_batch`) in one write; how many are still this owner's."""
    renewed = await db[model.MESSAGES].update_many(
        # A row whose attempt just ended in a retry has its lease freed: it stays free for whoever is next.
        {**rows(held), "lease_owner": owner, "status": "queued", "lease_until": {"$ne": None}},
        {"$set": {"lease_until": until}})
    return renewed.matched_count


# The conditional writes of an attempt, as (filter, update): each holds only while `owner` has the row.
# The dispatcher sends them in bulk (hub/store/bulk_writes.py); the functions below send one.


def attempt_started(ref: RowRef, owner: str, number: int, now: datetime) -> tuple[Doc, Doc]:
    return ({**row(ref), "lease_owner": owner, "status": "queued"},
            {"$set": {"attempt_owner": owner, "attempt_number": number, "attempt_started_at": now}})


async def record_attempt_started(db: Db, message_id: RowRef, owner: str, number: int, now: datetime) -> bool:
    """Written just before the request leaves: if the attempt never records its outcome, the next one
    knows the provider may have it. False when this attempt no longer owns the row."""
    started = await db[model.MESSAGES].update_one(*attempt_started(message_id, owner, number, now))
    return started.matched_count == 1


def attempt_started_by(doc: Mapping[str, Any] | None, owner: str) -> bool:
    """Whether a row read back holds this attempt's start (the check when a bulk's count is short)."""
    return doc is not None and doc.get("lease_owner") == owner and doc.get("attempt_owner") == owner \
        and doc.get("status") == "queued"


def outcome_recorded_by(doc: Mapping[str, Any] | None, owner: str) -> bool:
    """Whether a row read back holds this attempt's outcome: settled, or rescheduled with its lease freed."""
    return doc is not None and doc.get("lease_owner") == owner and (
        doc.get("status") != "queued" or doc.get("lease_until") is None)


async def mark_uncertain(db: Db, message_id: RowRef, owner: str, reason: str, now: datetime) -> bool:
    """A channel that cannot look an unsettled attempt up resends blindly, once: say so on the message."""
    marked = await db[model.MESSAGES].update_one(
        {**row(message_id), "lease_owner": owner, "status": "queued"},
        {"$set": {"delivery_uncertain": reason, "updated_at": now}, "$inc": {"uncertain_resends": 1}})
    return marked.matched_count == 1


_SETTLED: Doc = {"lease_until": None, "attempt_started_at": None}


def sent_update(provider_id: str | None, status: str, now: datetime, *, adopted: bool = False) -> Doc:
    update: Doc = {"status": status, "status_rank": model.STATUS_RANK[status], "provider_id": provider_id,
                   "sent_at": now, "updated_at": now, "error": None, **_SETTLED}
    if adopted:
        update["reconciled_at"] = now
    return update


def sent(ref: RowRef, owner: str, update: Doc) -> tuple[Doc, Doc]:
    return {**row(ref), "lease_owner": owner, "status": "queued"}, {"$set": update}


async def mark_sent(db: Db, message_id: RowRef, owner: str, provider_id: str | None, status: str,
                    now: datetime, *, adopted: bool = False) -> Message | None:
    """Only the attempt that owns the lease records the send; a stale attempt gets None. Given the row
    itself (the dispatcher's), the answer is that row as updated, without reading it back."""
    update = sent_update(provider_id, status, now, adopted=adopted)
    if not isinstance(message_id, ObjectId):
        recorded = await db[model.MESSAGES].update_one(*sent(message_id, owner, update))
        return as_message({**message_id, **update}) if recorded.matched_count == 1 else None
    return await update_then_get(messages_in(db), *sent(message_id, owner, update),
                                 return_document=ReturnDocument.AFTER)


def retry(ref: RowRef, owner: str, reason: str, at: datetime, now: datetime, *,
          outcome_unknown: bool = False) -> tuple[Doc, Doc]:
    update: Doc = {"next_attempt_at": at, "lease_until": None, "last_error": reason, "updated_at": now}
    if not outcome_unknown:
        update["attempt_started_at"] = None
    return {**row(ref), "lease_owner": owner, "status": "queued"}, {"$set": update}


async def schedule_retry(db: Db, message_id: RowRef, owner: str, reason: str, at: datetime,
                         now: datetime, *, outcome_unknown: bool = False) -> bool:
    """Free the row for a later attempt. With `outcome_unknown` the attempt stays recorded as started,
    so the next one reconciles before it sends. False when this attempt no longer owns the row."""
    retried = await db[model.MESSAGES].update_one(
        *retry(message_id, owner, reason, at, now, outcome_unknown=outcome_unknown))
    return retried.matched_count == 1


def failed(ref: RowRef, reason: str, now: datetime, owner: str | None = None) -> tuple[Doc, Doc]:
    query: Doc = {**row(ref), "status_rank": {"$lt": model.STATUS_RANK["failed"]}}
    if owner is not None:
        query["lease_owner"] = owner
    return query, {"$set": {"status": "failed", "status_rank": model.STATUS_RANK["failed"], "error": reason,
                            "failed_at": now, "updated_at": now, **_SETTLED}}


async def mark_failed(db: Db, message_id: RowRef, reason: str, now: datetime,
                      owner: str | None = None) -> Message | None:
    return await update_then_get(messages_in(db), *failed(message_id, reason, now, owner),
                                 return_document=ReturnDocument.AFTER)


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
