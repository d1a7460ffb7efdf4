"""The ingest path's database work, batched across concurrent messages (see hub/coalesce.py).

Every function here takes a list and answers one result per item, in order.
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from hub import names as model
from hub.clock import utcnow
from hub.coalesce import Coalescer
from hub.db.client import DUPLICATE_KEY
from hub.store import contacts, identities, message_keys, raw, reports
from hub.store.db import Db, Doc, fast
from hub.store.documents import Contact, Conversation, Message, as_message, contacts_in, conversations_in, messages_in


class IngestBatches:
    def __init__(self, db: Db) -> None:
        self.db = db
        self.keep_raw: Coalescer[Doc, ObjectId] = Coalescer(self._keep_raw)
        self.claim_key: Coalescer[tuple[str, ObjectId], message_keys.Claim] = Coalescer(self._claim_keys)
        self.find_contact: Coalescer[tuple[str, str], Contact | None] = Coalescer(self._find_contacts)
        self.find_active: Coalescer[ObjectId, Conversation | None] = Coalescer(self._find_active)
        self.touch: Coalescer[tuple[ObjectId, Doc], bool] = Coalescer(self._touch)
        self.insert_message: Coalescer[Doc, tuple[Message, bool]] = Coalescer(self._insert_messages)
        self.raw_processed: Coalescer[ObjectId, None] = Coalescer(self._raw_processed)
        self.report_event: Coalescer[Doc, None] = Coalescer(self._report_events)

    async def _keep_raw(self, docs: list[Doc]) -> list[ObjectId]:
        result = await self._before_commit(model.RAW_INBOUND).insert_many(docs, ordered=True)
        return [ObjectId(i) for i in result.inserted_ids]

    def _before_commit(self, name: str) -> AsyncCollection[Doc]:
        """For writes an ingest makes before its message insert, which carries the configured concern.

        The journal (and a replica set's oplog) is one ordered log: the journaled (or majority)
        message insert is acknowledged only once every write committed before it is durable too,
        these included, so waiting for the journal on each of them as well buys nothing. Measured on
        the embedded server: journaling every ingest write cost about 30 % of ingest throughput.
        Only the batched writes here take this shortcut; the rarer ones of a first or reopened message
        (resolving the contact, opening the conversation, routing) still wait for the journal each.
        """
        return fast(self.db[name])

    async def _raw_processed(self, raw_ids: list[ObjectId]) -> list[None]:
        await raw.mark_processed(self.db, raw_ids, utcnow())  # one update_many per batch
        return [None] * len(raw_ids)

    async def _report_events(self, docs: list[Doc]) -> list[None]:
        await reports.record_many(self.db, docs)  # one insert and one rollup bulk write per batch
        return [None] * len(docs)

    async def _claim_keys(self, wanted: list[tuple[str, ObjectId]]) -> list[message_keys.Claim]:
        return await message_keys.claim(self.db, wanted, utcnow())

    async def _find_contacts(self, wanted: list[tuple[str, str]]) -> list[Contact | None]:
        """Through the claims (hub/store/identities.py): two _id lookups for the batch. None for anything
        but a plain live holder (merged away, or a claim without its contact): contacts.resolve handles those."""
        keys = [identities.key(kind, value) for kind, value in wanted]
        held = await identities.holders(self.db, keys)
        found = {c["_id"]: c async for c in contacts_in(self.db).find({"_id": {"$in": list(set(held.values()))}})}
        results: list[Contact | None] = []
        for (kind, value), key in zip(wanted, keys, strict=True):
            contact = found.get(held[key]) if key in held else None
            live = contact is not None and contact.get("merged_into") is None and contacts.holds(contact, kind, value)
            results.append(contact if live else None)
        return results

    async def _find_active(self, contact_ids: list[ObjectId]) -> list[Conversation | None]:
        found = {d["contact_id"]: d async for d in conversations_in(self.db).find(
            {"contact_id": {"$in": list(set(contact_ids))}, "active": True})}
        return [found.get(contact_id) for contact_id in contact_ids]

    async def _touch(self, updates: list[tuple[ObjectId, Doc]]) -> list[bool | BaseException]:
        """Apply each conversation update, once per conversation per batch (a burst of messages in one
        conversation rewrites its last-message fields and their index entries once, not once per message);
        False for one the database refused (the caller falls back)."""
        merged: dict[ObjectId, Doc] = {}
        for conversation_id, update in updates:
            merged[conversation_id] = merge_updates(merged[conversation_id], update) \
                if conversation_id in merged else update
        ids = list(merged)
        operations = [UpdateOne({"_id": conversation_id, "active": True}, merged[conversation_id])
                      for conversation_id in ids]
        outcome: dict[ObjectId, bool] = dict.fromkeys(ids, True)
        try:
            matched = (await self._before_commit(model.CONVERSATIONS).bulk_write(operations, ordered=False)
                       ).matched_count
        except BulkWriteError as exc:
            matched = exc.details.get("nMatched", 0)
            for error in exc.details.get("writeErrors", []):
                outcome[ids[error["index"]]] = False
        refused = sum(1 for ok in outcome.values() if not ok)
        if matched + refused < len(ids):
            # Some conversation stopped being active (resolved meanwhile): find which, so those
            # messages take the single path that opens a new conversation.
            still = {d["_id"] async for d in self.db[model.CONVERSATIONS].find(
                {"_id": {"$in": ids}, "active": True}, {"_id": 1})}
            outcome = {i: ok and i in still for i, ok in outcome.items()}
        return [outcome[conversation_id] for conversation_id, _ in updates]

    async def _insert_messages(self, docs: list[Doc]) -> list[tuple[Message, bool] | BaseException]:
        # Each doc carries the _id its claimed key names (hub/store/message_keys.py): a second writer of
        # the same message meets the _id index. The same dicts: the ids the insert assigns appear in these
        # results too.
        results: list[tuple[Message, bool] | BaseException] = [(as_message(doc), True) for doc in docs]
        try:
            result = await self.db[model.MESSAGES].insert_many(docs, ordered=False)
            for doc, inserted_id in zip(docs, result.inserted_ids, strict=True):
                doc["_id"] = inserted_id
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                index = error["index"]
                if error.get("code") == DUPLICATE_KEY:
                    results[index] = await _existing_or_error(self.db, docs[index], error)
                else:
                    results[index] = RuntimeError(f"message insert failed: {error.get('errmsg')}")
        return results


async def _existing_or_error(db: Db, doc: Doc, error: dict[str, Any]) -> tuple[Message, bool] | BaseException:
    existing = await messages_in(db).find_one({"_id": doc["_id"]}) if "_id" in doc else None
    if existing is None:
        return RuntimeError(f"message insert failed: {error.get('errmsg')}")
    return existing, False


def merge_updates(first: Doc, then: Doc) -> Doc:
    """One update doing what `first` and then `then` do (the operators conversation_touch uses)."""
    merged: Doc = {op: dict(fields) for op, fields in first.items()}
    for op, fields in then.items():
        into = merged.setdefault(op, {})
        for field, value in fields.items():
            if field not in into or op in ("$set", "$unset"):
                into[field] = value
            elif op == "$max":
                into[field] = max(into[field], value)
            elif op == "$min":
                into[field] = min(into[field], value)
            elif op == "$inc":
                into[field] += value
            elif op == "$addToSet":
                each = [*_each(into[field]), *(v for v in _each(value) if v not in _each(into[field]))]
                into[field] = {"$each": each}
            else:
                raise ValueError(f"cannot merge {op}")
    return merged


def _each(value: Any) -> list[Any]:
    return list(value["$each"]) if isinstance(value, dict) and "$each" in value else [value]
