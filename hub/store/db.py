"""Connection, indexes and id helpers: the base every store module stands on."""

from __future__ import annotations

import logging
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, AsyncMongoClient, IndexModel, WriteConcern
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from hub import model

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]

log = logging.getLogger(__name__)


# What an acknowledged write has survived, by HUB_WRITE_CONCERN. "majority" carries j=True too: a
# replica set journals majority writes anyway (writeConcernMajorityJournalDefault), and the embedded
# server does not: with w="majority" alone a SIGKILL lost 1 and 6 of 1,500 acknowledged inserts, with
# j=True none (measured here, see README "Durability").
WRITE_CONCERNS: dict[str, WriteConcern] = {
    "journaled": WriteConcern(w=1, j=True),
    "majority": WriteConcern(w="majority", j=True),
    "fast": WriteConcern(w=1),
}
# For writes no acknowledgement depends on (a marker the recovery pass can redo, a heartbeat):
# the embedded server answers them without waiting for its journal.
FAST = WRITE_CONCERNS["fast"]


def write_concern_for(setting: str, *, embedded: bool) -> WriteConcern:
    """HUB_WRITE_CONCERN -> the concern every store write inherits; `auto` picks by where the data lives."""
    name = setting.strip().lower()
    if name == "auto":
        name = "journaled" if embedded else "majority"
    if name not in WRITE_CONCERNS:
        raise ValueError(f"HUB_WRITE_CONCERN must be one of auto, {', '.join(WRITE_CONCERNS)}; got {setting!r}")
    return WRITE_CONCERNS[name]


def connect(url: str, default_db: str, *, write_concern: str = "auto",
            embedded: bool = False) -> tuple[AsyncMongoClient[Doc], Db]:
    """A client and the hub's database; every collection taken from it writes with the configured concern."""
    concern = write_concern_for(write_concern, embedded=embedded).document
    # On the client, not only the database: a transaction's commit takes the client's concern. It
    # overrides any w= or journal= in the URL, so the setting alone says what an acknowledgement means.
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=10_000,
                                                     w=concern["w"], journal=bool(concern.get("j")))
    db = client.get_default_database(default=default_db)
    return client, db


def fast(collection: AsyncCollection[Doc]) -> AsyncCollection[Doc]:
    """The same collection writing unjournaled: only for writes nothing is acknowledged on."""
    return collection.with_options(write_concern=FAST)


async def ping(db: Db) -> bool:
    try:
        await db.command("ping")
    except Exception:  # any failure means "not ready"; the reason is logged by the caller's probe
        return False
    return True


async def url_answers(url: str) -> bool:
    """Does a MongoDB answer at `url` within a second? (a URL left behind by a stopped hub won't)"""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    finally:
        await client.close()
    return True


async def update_then_get(
    collection: AsyncCollection[Doc], query: Doc, update: Doc, *, sort: Any = None, return_document: Any = None,
) -> Doc | None:
    """find_one_and_update (returning the document after) in cheap steps.

    The embedded server's findAndModify costs about ten times an update (measured: 14 ms vs 1.4 ms),
    so: find the id if the query has none, a conditional update_one (atomic: it still holds only
    if the query still matches), then read the document back. None when nothing matched.
    """
    del return_document  # always "after"; accepted so call sites read like find_one_and_update
    target = query
    if not isinstance(query.get("_id"), ObjectId):
        found = await collection.find_one(query, {"_id": 1}, sort=sort)
        if found is None:
            return None
        target = {**query, "_id": found["_id"]}
    result = await collection.update_one(target, update)
    if result.matched_count == 0:
        return None  # it changed under us; the conditional update did nothing
    return await collection.find_one({"_id": target["_id"]})


def oid(value: object) -> ObjectId | None:
    """Parse an id from a URL or payload; None for anything that is not one (callers answer 404)."""
    if isinstance(value, ObjectId):
        return value
    try:
        return ObjectId(str(value))
    except (InvalidId, TypeError):
        return None


_INDEXES: dict[str, list[IndexModel]] = {
    model.CONTACTS: [
        # Sparse: a merged-away contact has no `identities` field and so no key; a plain unique index
        # would give each such contact the key (null, null), and an empty list one key too (see contact_merges).
        IndexModel([("identities.kind", ASCENDING), ("identities.value", ASCENDING)], unique=True, sparse=True,
                   name="identity_unique_sparse"),
        IndexModel([("name_lower", ASCENDING)], name="name_lower"),
        IndexModel([("match_keys", ASCENDING)], name="match_keys"),  # duplicate suggestions
    ],
    model.CONVERSATIONS: [
        # One active (not resolved) conversation per contact: concurrent first messages open one.
        IndexModel([("contact_id", ASCENDING)], unique=True, name="one_active_per_contact",
                   partialFilterExpression={"active": True}),
        IndexModel([("contact_id", ASCENDING), ("status", ASCENDING)], name="contact_status"),
        IndexModel([("department_id", ASCENDING), ("status", ASCENDING), ("last_message_at", DESCENDING)],
                   name="department_inbox"),
        IndexModel([("assignee_id", ASCENDING), ("status", ASCENDING), ("last_message_at", DESCENDING)],
                   name="assignee_inbox"),
        IndexModel([("status", ASCENDING), ("last_message_at", DESCENDING)], name="status_inbox"),
        # The embedded server uses an index only when its leading fields cover the whole query (see
        # hub/store/inbox_views.py): a department's queue, and every view sorted by longest waiting.
        IndexModel([("department_id", ASCENDING), ("assignee_id", ASCENDING), ("status", ASCENDING),
                    ("last_message_at", DESCENDING)], name="queue_inbox"),
        IndexModel([("department_id", ASCENDING), ("assignee_id", ASCENDING), ("status", ASCENDING),
                    ("waiting_since", ASCENDING)], name="queue_waiting"),
        IndexModel([("department_id", ASCENDING), ("status", ASCENDING), ("waiting_since", ASCENDING)],
                   name="department_waiting"),
        IndexModel([("assignee_id", ASCENDING), ("status", ASCENDING), ("waiting_since", ASCENDING)],
                   name="assignee_waiting"),
        IndexModel([("status", ASCENDING), ("waiting_since", ASCENDING)], name="status_waiting"),
    ],
    model.MESSAGES: [
        # One sparse single field "channel:external_id" rather than a partial compound index: the
        # embedded server never plans with partial indexes (measured: 1.5 ms vs 80 ms for a 20-id
        # lookup in 2,000 messages), and a sparse *compound* index would still hold every message
        # that has a channel, so replies without a provider id would collide.
        IndexModel([("dedupe_key", ASCENDING)], unique=True, sparse=True, name="dedupe_key"),
        IndexModel([("client_key", ASCENDING)], unique=True, sparse=True, name="client_key_sparse"),
        IndexModel([("conversation_id", ASCENDING), ("created_at", ASCENDING)], name="timeline"),
        IndexModel([("contact_id", ASCENDING), ("created_at", ASCENDING)], name="contact_timeline"),
        # Sparse: only replies carry these fields, so a customer message costs no entry here.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="outbox_sparse", sparse=True),
        IndexModel([("provider_id", ASCENDING)], name="provider_id", sparse=True),
        IndexModel([("mentions", ASCENDING)], name="mentions_sparse", sparse=True),  # the Mentions view
    ],
    "custom_fields": [IndexModel([("key", ASCENDING)], unique=True, name="key_unique")],
    "contact_merges": [IndexModel([("target_id", ASCENDING), ("at", DESCENDING)], name="target"),
                       IndexModel([("source_id", ASCENDING), ("at", DESCENDING)], name="source")],
    model.RAW_INBOUND: [IndexModel([("channel", ASCENDING), ("received_at", ASCENDING)], name="received"),
                        # Sparse: only payloads not yet turned into a message hold the field, so the
                        # recovery pass reads a handful of entries, however large the collection grows.
                        IndexModel([("pending_since", ASCENDING)], sparse=True, name="pending")],
    model.USERS: [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")],
    model.DEPARTMENTS: [IndexModel([("name", ASCENDING)], unique=True, name="name_unique")],
    model.SESSIONS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expiry")],
    model.API_TOKENS: [IndexModel([("token_hash", ASCENDING)], unique=True, name="token_hash")],
    model.THROTTLES: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expiry")],
}


# Indexes earlier versions made, replaced above; dropped at start so they cost no more writes.
_OBSOLETE: dict[str, tuple[str, ...]] = {model.MESSAGES: ("dedupe", "client_key", "outbox", "mentions"),
                                         model.CONTACTS: ("identity_unique",)}


async def ensure_indexes(db: Db) -> None:
    """Create every index; safe to run at each start (same spec is a no-op)."""
    for collection, names in _OBSOLETE.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        for name in set(names) & existing:
            await db[collection].drop_index(name)
            if name == "identity_unique":  # that version left `identities: []` on merged contacts; now no field
                await db[collection].update_many({"identities": {"$size": 0}}, {"$unset": {"identities": ""}})
    for collection, indexes in _INDEXES.items():
        await db[collection].create_indexes(indexes)
