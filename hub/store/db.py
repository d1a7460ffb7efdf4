"""Indexes and id helpers the store modules stand on; the connection itself is hub/db/client.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import OperationFailure

from hub import names as model
from hub.db.client import Db, Doc, connect, fast, ping
from hub.store import identities, message_keys

# Db and Doc are every store module's types; connect, fast and ping are re-exported for the store's callers.
__all__ = ["Db", "Doc", "connect", "ensure_indexes", "fast", "oid", "ping", "update_then_get"]


D = TypeVar("D", bound=Mapping[str, Any])


async def update_then_get(
    collection: AsyncCollection[D], query: Doc, update: Doc, *, sort: Any = None, return_document: Any = None,
) -> D | None:
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
    # The shard key, when the query names it and the update leaves it, keeps the read-back targeted.
    changed = set(update.get("$set", {}))
    pinned = {k: target[k] for k in _PINNED if isinstance(target.get(k), ObjectId) and k not in changed}
    return await collection.find_one({"_id": target["_id"], **pinned})


_PINNED = ("conversation_id", "contact_id")


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
        # No identities index: who holds an identity is its claim in `identities` (hub/store/identities.py),
        # unique by its _id, which a cluster sharded by the contact's _id can enforce.
        IndexModel([("name_lower", ASCENDING)], name="name_lower"),
        IndexModel([("match_keys", ASCENDING)], name="match_keys"),  # duplicate suggestions, phone search
        # "telegram:<username>" for an exact @username search; sparse: most contacts have none.
        IndexModel([("handles", ASCENDING)], name="handles_sparse", sparse=True),
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
        # Reports (hub/store/report_queries.py): the conversations created in a range, all or a department's.
        IndexModel([("created_at", ASCENDING)], name="created"),
        IndexModel([("department_id", ASCENDING), ("created_at", ASCENDING)], name="department_created"),
    ],
    model.MESSAGES: [
        # No unique index: a message's provider id and client key are unique through message_keys
        # (hub/store/message_keys.py), which a cluster sharded by conversation_id can enforce.
        IndexModel([("conversation_id", ASCENDING), ("created_at", ASCENDING)], name="timeline"),
        IndexModel([("contact_id", ASCENDING), ("created_at", ASCENDING)], name="contact_timeline"),
        # Sparse: only replies carry these fields, so a customer message costs no entry here.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="outbox_sparse", sparse=True),
        IndexModel([("provider_id", ASCENDING)], name="provider_id", sparse=True),
        IndexModel([("mentions", ASCENDING)], name="mentions_sparse", sparse=True),  # the Mentions view
        # Admin → Channels reads raw_inbound's `received` and the sparse outbox index (hub/store/channel_status.py)
        # rather than two indexes every message would write an entry in.
    ],
    "custom_fields": [IndexModel([("key", ASCENDING)], unique=True, name="key_unique")],
    model.CONTACT_MERGES: [IndexModel([("target_id", ASCENDING), ("at", DESCENDING)], name="target"),
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
    model.VERIFICATIONS: [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0, name="expiry")],
    model.MAILBOXES: [IndexModel([("address", ASCENDING)], unique=True, name="address_unique")],
    # A shortcut is unique within its scope ("shared", "dept:<id>", "user:<id>"): see hub/store/canned.py.
    model.CANNED: [IndexModel([("scope", ASCENDING), ("shortcut", ASCENDING)], unique=True, name="scope_shortcut")],
    model.VIEWERS: [IndexModel([("conversation_id", ASCENDING), ("expires_at", ASCENDING)], name="conversation_live"),
                    IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=model.VIEWERS_TTL_SECONDS,
                               name="expiry")],
    model.PRESENCE: [IndexModel([("user_id", ASCENDING), ("expires_at", ASCENDING)], name="user_expiry"),
                     # Streams of a process that died without closing them disappear on their own.
                     IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=3600, name="expiry")],
    model.ROUTING_RULES: [IndexModel([("saved_at", DESCENDING), ("_id", DESCENDING)], name="newest"),
                          IndexModel([("version", DESCENDING)], name="version")],
    # The bell's list pages by id (newest first), and its badge counts what is unread.
    model.NOTIFICATIONS: [IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)], name="newest"),
                          IndexModel([("user_id", ASCENDING), ("read_at", ASCENDING)], name="unread")],
    # A mark's _id is "<user>:<conversation>" (one per pair, a page's rows in one $in); the views'
    # unread counts read a user's newest marks.
    model.READ_MARKS: [IndexModel([("user_id", ASCENDING), ("seen_at", DESCENDING)], name="user_recent")],
    # One rating per conversation (hub/store/csat.py): the first answer stands, a race is a duplicate key.
    model.CSAT_RESPONSES: [IndexModel([("conversation_id", ASCENDING)], unique=True, name="conversation_unique")],
    # Reports (hub/store/report_queries.py): every report filters a kind over a time range.
    # A lead's reports add the department: an index whose leading fields cover that query too.
    model.REPORT_EVENTS: [IndexModel([("kind", ASCENDING), ("at", ASCENDING)], name="kind_at"),
                          IndexModel([("kind", ASCENDING), ("department_id", ASCENDING), ("at", ASCENDING)],
                                     name="kind_department_at"),
                          IndexModel([("conversation_id", ASCENDING)], name="conversation")],
    model.REPORT_ROLLUPS: [IndexModel([("kind", ASCENDING), ("at", ASCENDING)], name="kind_at"),
                           IndexModel([("kind", ASCENDING), ("department_id", ASCENDING), ("at", ASCENDING)],
                                      name="kind_department_at")],
    # Time online (hub/store/presence_log.py): the changes of a range, and each agent's latest before it.
    model.PRESENCE_LOG: [IndexModel([("at", ASCENDING)], name="at"),
                         IndexModel([("user_id", ASCENDING), ("at", ASCENDING)], name="user_at")],
}


# Indexes earlier versions made, replaced above; dropped at start so they cost no more writes.
_OBSOLETE: dict[str, tuple[str, ...]] = {model.MESSAGES: ("dedupe", "client_key", "outbox", "mentions",
                                                           "dedupe_key", "client_key_sparse",
                                                           "channel_direction_latest", "channel_status_latest"),
                                         model.CONTACTS: ("identity_unique", "identity_unique_sparse"),
                                         model.NOTIFICATIONS: ("inbox",),
                                         model.CANNED: ("shortcut_unique",)}
# What documents of the version that had an obsolete index need (a filter and an update, or a migration
# that must run idempotently) to fit the indexes (or collections) that replace it.
async def _adopt_identity_unique(db: Db) -> None:
    await db[model.CONTACTS].update_many({"identities": {"$size": 0}}, {"$unset": {"identities": ""}})
    await identities.adopt_existing(db)


_ADOPT_BEFORE_DROPPING: dict[tuple[str, str], tuple[Doc, Doc] | Callable[[Db], Awaitable[None]]] = {
    # The unique rules moved to message_keys: a key for every message that had one, before the index goes.
    (model.MESSAGES, "dedupe_key"): message_keys.adopt_existing,
    (model.MESSAGES, "client_key_sparse"): message_keys.adopt_existing,
    # That version left `identities: []` on merged contacts (now they hold no field), and had no claims.
    (model.CONTACTS, "identity_unique"): _adopt_identity_unique,
    # The unique rule moved to the identities collection: a claim for every identity a live contact holds.
    (model.CONTACTS, "identity_unique_sparse"): identities.adopt_existing,
    # Before scopes every canned response was shared.
    (model.CANNED, "shortcut_unique"): ({"scope": {"$exists": False}},
                                        {"$set": {"scope": "shared", "owner_id": None, "department_id": None}}),
}


_INDEX_NOT_FOUND = 27


def unique_indexes() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Each collection's unique indexes as (name, fields), for the shard-key rules (hub/store/sharding.py)."""
    found: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for collection, indexes in _INDEXES.items():
        for index in indexes:
            spec = index.document
            if spec.get("unique"):
                found.setdefault(collection, []).append((str(spec["name"]), tuple(spec["key"])))
    return found


async def ensure_indexes(db: Db) -> None:
    """Create every index; safe to run at each start (same spec is a no-op)."""
    adopted: set[Callable[[Db], Awaitable[None]]] = set()
    for collection, names in _OBSOLETE.items():
        existing = {index["name"] async for index in await db[collection].list_indexes()}
        for name in set(names) & existing:
            adopt = _ADOPT_BEFORE_DROPPING.get((collection, name))
            if callable(adopt):  # before the drop, so a start that stops between the two does both again
                if adopt not in adopted:
                    await adopt(db)
                    adopted.add(adopt)
            elif adopt is not None:
                await db[collection].update_many(*adopt)
            try:
                await db[collection].drop_index(name)
            except OperationFailure as exc:
                # "Not found": another process starting at the same time dropped it first.
                if exc.code != _INDEX_NOT_FOUND:
                    raise
    for collection, indexes in _INDEXES.items():
        await db[collection].create_indexes(indexes)
    from hub.store import report_rollups  # built from the store's own events (imported here: no import cycle)

    await report_rollups.ensure_built(db)
