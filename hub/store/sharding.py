"""The shard key each large collection takes on a sharded cluster (docs/scaling.md), and the unique rules
that must move out of a collection before it can be sharded by that key.

MongoDB enforces a unique index on a sharded collection only when the index starts with the shard key;
any other unique index is refused by `shardCollection`. So a uniqueness the hub relies on (one message per
provider id, one contact per identity) has to live where its own value is the key: a small collection whose
`_id` is the unique value. `PLANNED_MOVES` lists the ones still in their collection today; a collection
with none left is ready, and deploy/sharding-init.js shards exactly the ready ones.
tests/unit/hub/test_shard_keys.py holds the indexes of hub/store/db.py to these rules, so a new unique
index that could not hold on a cluster is noticed when it is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hub import names as model

HASHED = "hashed"

# collection -> its shard key, in order ("hashed" spreads monotonic ids over every shard).
SHARD_KEYS: dict[str, tuple[tuple[str, int | str], ...]] = {
    # Every timeline read and every insert names the conversation: targeted, and spread evenly.
    model.MESSAGES: (("conversation_id", HASHED),),
    # The one-active-conversation rule is unique on contact_id: a ranged key on it keeps that enforceable.
    model.CONVERSATIONS: (("contact_id", 1),),
    model.CONTACTS: (("_id", HASHED),),
    # Written once per webhook, read back by _id (and by the rare recovery pass, a scatter-gather).
    model.RAW_INBOUND: (("_id", HASHED),),
    # The moved unique rules: each document's _id is the unique value, so the _id index enforces it.
    model.MESSAGE_KEYS: (("_id", HASHED),),
    model.IDENTITIES: (("_id", HASHED),),
}

# (collection, unique index name) -> the collection that will hold that uniqueness, keyed by the value.
PLANNED_MOVES: dict[tuple[str, str], str] = {}


# The moves made: (collection, the unique index it no longer has) -> the collection keyed by the value.
DONE_MOVES: dict[tuple[str, str], str] = {
    (model.MESSAGES, "dedupe_key"): model.MESSAGE_KEYS,  # _id = "<channel>:<external_id>" or "raw:<raw_id>"
    (model.MESSAGES, "client_key_sparse"): model.MESSAGE_KEYS,  # _id = "client:<client_key>"
    (model.CONTACTS, "identity_unique_sparse"): model.IDENTITIES,  # _id = "<kind>:<value>" -> contact_id
}


def ready(collection: str) -> bool:
    """Whether `collection` can be sharded by its key today (no unique rule left to move out of it)."""
    return collection in SHARD_KEYS and not any(c == collection for c, _ in PLANNED_MOVES)


def unique_index_problems(indexes: dict[str, list[tuple[str, tuple[str, ...]]]]) -> list[str]:
    """Unique indexes (collection -> [(name, fields)]) that a sharded cluster could not enforce and that
    no planned move covers: each does not start with its collection's shard key."""
    problems = []
    for collection, unique in indexes.items():
        key = tuple(field for field, _ in SHARD_KEYS.get(collection, ()))
        if not key:
            continue  # an unsharded collection (small, on the primary shard) enforces anything
        for name, fields in unique:
            if fields[:len(key)] == key or (collection, name) in PLANNED_MOVES:
                continue
            problems.append(f"{collection}.{name} {fields} does not start with the shard key {key}")
    return problems


# --- the queries' targeting (tests/integration/test_shard_targeting.py) ----------------------------------

_RANGE = ("$gt", "$gte", "$lt", "$lte")


def shape(query: Any) -> str:
    """A filter without its values: `{conversation_id, created_at:$gte}`; the allow-list's vocabulary."""
    if not isinstance(query, Mapping):
        return "{}"
    parts = []
    for field, value in sorted(query.items()):
        if field in ("$or", "$and", "$nor") and isinstance(value, list):
            parts.append(f"{field}[" + " | ".join(shape(clause) for clause in value) + "]")
        elif isinstance(value, Mapping) and value and all(str(op).startswith("$") for op in value):
            parts.append(f"{field}:" + ",".join(sorted(value)))
        else:
            parts.append(field)
    return "{" + ", ".join(parts) + "}"


def targeted(collection: str, query: Any) -> bool:
    """Whether `mongos` can send this filter to the shards holding the matches rather than to all: it
    pins the shard key's leading field (a value or an $in; a range for a ranged key). Unsharded: always."""
    key = SHARD_KEYS.get(collection)
    if not key:
        return True
    if not isinstance(query, Mapping):
        return False
    if any(targeted(collection, clause) for clause in query.get("$and") or []):
        return True
    clauses = query.get("$or")
    if isinstance(clauses, list) and clauses and all(targeted(collection, clause) for clause in clauses):
        return True
    field, kind = key[0]
    if field not in query:
        return False
    value = query[field]
    if not isinstance(value, Mapping) or not any(str(op).startswith("$") for op in value):
        return True  # equality on the key (a plain value, or a sub-document compared whole)
    return "$eq" in value or "$in" in value or (kind != HASHED and any(op in value for op in _RANGE))


# (collection, filter shape) -> why it reads every shard, and what that costs. Each one is also listed in
# docs/scaling.md ("Queries on a cluster"); a query that scatters and is listed in neither fails the
# checker. Prefer making a query targeted (add the shard key to its filter) over listing it.
_BY_ID = "one _id index lookup per shard (conversations are sharded by contact_id)"
_VIEW = ("an inbox page: one indexed range scan per shard for its first page, merged by mongos; the tab "
         "counts are each hub's change-stream tally, not queries")
SCATTERS: dict[tuple[str, str], str] = {
    # Conversations by their own id: the conversation page, a reply's bookkeeping, the batched touch of
    # ingest (once per burst), routing's claim, the rows of an inbox page. The costliest scatter on a
    # cluster; docs/scaling.md says how the next move (the one-active rule keyed by contact) removes it.
    (model.CONVERSATIONS, "{_id}"): _BY_ID,
    (model.CONVERSATIONS, "{_id, active}"): _BY_ID + "; ingest's batched touch, one update per message in a burst",
    (model.CONVERSATIONS, "{_id, routed:$ne}"): _BY_ID + "; routing's claim of a new conversation",
    (model.CONVERSATIONS, "{_id:$in}"): "one $in of _id lookups per shard: a page's rows, merges",
    (model.CONVERSATIONS, "{_id:$in, last_message_at:$gte}"): "one $in of _id lookups per shard (the Mentions view)",
    (model.CONVERSATIONS, "{status}"): _VIEW,
    (model.CONVERSATIONS, "{last_message_at:$gte, status}"): _VIEW,
    (model.CONVERSATIONS, "{assignee_id, status}"): _VIEW,
    (model.CONVERSATIONS, "{assignee_id, last_message_at:$gte, status}"): _VIEW,
    (model.CONVERSATIONS, "{department_id, status}"): _VIEW,
    (model.CONVERSATIONS, "{department_id, last_message_at:$gte, status}"): _VIEW,
    # The periodic passes (one process at a time, under a lease; every HUB_RECOVERY_SECONDS, and the
    # routing pass's tick): small indexed or bounded reads, once per pass rather than per message.
    (model.CONVERSATIONS, "{$or[{first_response_at, sla_escalated:$ne, sla_first_response_due:$lte} | "
                          "{sla_escalated:$ne, sla_resolution_due:$lte}], active}"): "the SLA check, per tick",
    (model.CONVERSATIONS, "{active, assignee_id, department_id:$ne}"): "departments with a queue, per tick",
    (model.CONVERSATIONS, "{active, assignee_id, department_id:$in}"): ("the queue offered to an agent with room "
                                                                      "(online again, or a slot freed), per event"),
    (model.CONVERSATIONS, "{active, assignee_id:$ne}"): "agents' open counts repaired, per tick",
    (model.CONVERSATIONS, "{snoozed_until:$lte, status}"): "snoozes that are due, per tick",
    (model.RAW_INBOUND, "{pending_since:$lt}"): "the recovery pass: the sparse pending index, a handful per shard",
    (model.CONTACTS, "{match_keys:$in}"): "one index lookup per shard: a contact page's duplicate suggestions",
    (model.MESSAGES, "{next_attempt_at:$lte, status}"): ("the dispatcher's poll: one small indexed range per "
                                                         "shard (sparse outbox index) per poll"),
    (model.MESSAGES, "{mentions}"): "the Mentions view: one sparse index lookup per shard",
    (model.MESSAGES, "{_id:$in}"): ("a duplicate webhook's message, read through its key: one $in of _id lookups "
                                    "per shard, duplicates only"),
    (model.MESSAGES, "{_id}"): ("the live stream reading back an updated message (a reply's status) by its "
                               "documentKey, as updateLookup did: on a cluster the key holds conversation_id, so "
                               "targeted there; on one server it is {_id}"),
    (model.MESSAGES, "{contact_id}"): "a merge re-pointing the source's messages: one index range per shard, rare",
    (model.MESSAGES, "{contact_id, direction:$ne}"): ("a merge's count and a contact's history: one index range "
                                                      "per shard"),
}
