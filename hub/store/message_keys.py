"""message_keys: a message's unique keys, each a document whose `_id` is the key itself.

A provider's message id (`"<channel>:<external_id>"`), a payload's own key for a message without one
(`"raw:<raw_id>"`) and a reply's idempotency key (`"client:<user>:<key>"`) each name at most one message.
That uniqueness lived in unique indexes on `messages`, which a cluster sharded by `conversation_id`
cannot enforce; here it is the `_id` index of a collection sharded by `_id` (docs/scaling.md).

The key is inserted first, with the id the message will take (`claim`). A duplicate key error is the
duplicate: the key names the message. A key whose message does not exist is orphaned (a crash between
the two writes) or still in flight on another writer: the claimer takes the key's message id over and
inserts with it, so however many writers finish the job, the message `_id` lets only one in. A crash
after the key therefore never loses the message: the raw payload stays pending and the recovery pass
(or the provider's retry) lands it, exactly once.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo.errors import BulkWriteError

from hub import names as model
from hub.db.client import (  # not hub.store.db: its start-up migration imports this module
    DUPLICATE_KEY,
    Db,
    Doc,
    fast,
    insert_new,
)
from hub.store.documents import Message, messages_in

CLIENT = "client:"

# (the id to insert the message with, the message that already holds the key or None)
Claim = tuple[ObjectId, Message | None]


def client_key(key: str) -> str:
    return CLIENT + key


def key_of(doc: Doc) -> str | None:
    """The unique key of a message document about to be inserted: its provider's (or payload's) key, else its
    client key. Sets `dedupe_key` from the channel and provider id (kept on the message, for people)."""
    if isinstance(doc.get("dedupe_key"), str):
        return str(doc["dedupe_key"])
    if isinstance(doc.get("external_id"), str) and isinstance(doc.get("channel"), str):
        doc["dedupe_key"] = f"{doc['channel']}:{doc['external_id']}"
        return str(doc["dedupe_key"])
    if isinstance(doc.get("client_key"), str):
        return client_key(doc["client_key"])
    return None


async def claim(db: Db, wanted: list[tuple[str, ObjectId]], now: datetime) -> list[Claim]:
    """Insert each (key, proposed message id); one round trip for the lot, two more only for duplicates.

    Unjournaled: the message insert that follows carries the concern, and the journal is one ordered log
    (hub/store/batched.py). A key lost in a crash is claimed again by the replay.
    """
    docs = [{"_id": key, "message_id": message_id, "at": now} for key, message_id in wanted]
    taken: set[int] = set()
    try:
        await fast(db[model.MESSAGE_KEYS]).insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        for error in exc.details.get("writeErrors", []):
            if error.get("code") != DUPLICATE_KEY:
                raise
            taken.add(int(error["index"]))
    claims: list[Claim] = [(message_id, None) for _, message_id in wanted]
    if not taken:
        return claims
    keys = list({wanted[i][0] for i in taken})
    holders = {d["_id"]: d["message_id"] async for d in db[model.MESSAGE_KEYS].find({"_id": {"$in": keys}})}
    ids = list(set(holders.values()))
    found = {m["_id"]: m async for m in messages_in(db).find({"_id": {"$in": ids}})}
    for i in taken:
        held = holders.get(wanted[i][0])
        if held is None:  # pragma: no cover - removed by hand between the two reads: take it as new
            continue
        claims[i] = (held, found.get(held))
    return claims


async def message_for(db: Db, key: str) -> Message | None:
    """The message holding `key` (None while the key is orphaned)."""
    held = await db[model.MESSAGE_KEYS].find_one({"_id": key})
    if held is None:
        return None
    return await messages_in(db).find_one({"_id": held["message_id"]})


async def adopt_existing(db: Db) -> None:
    """Start-up migration (hub/store/db.py, before the old unique indexes are dropped): a key for every
    message that holds one in its own fields. Idempotent: a key already there is left alone."""
    batch: list[Doc] = []
    query: Doc = {"$or": [{"dedupe_key": {"$exists": True}}, {"client_key": {"$exists": True}}]}
    async for doc in db[model.MESSAGES].find(query, {"dedupe_key": 1, "client_key": 1}):
        if isinstance(doc.get("dedupe_key"), str):
            batch.append({"_id": doc["dedupe_key"], "message_id": doc["_id"]})
        if isinstance(doc.get("client_key"), str):
            batch.append({"_id": client_key(doc["client_key"]), "message_id": doc["_id"]})
        if len(batch) >= 500:
            await insert_new(db[model.MESSAGE_KEYS], batch)
            batch = []
    if batch:
        await insert_new(db[model.MESSAGE_KEYS], batch)

