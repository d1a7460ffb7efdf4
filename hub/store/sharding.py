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
}

# (collection, unique index name) -> the collection that will hold that uniqueness, keyed by the value.
PLANNED_MOVES: dict[tuple[str, str], str] = {
    (model.MESSAGES, "dedupe_key"): "message_keys (_id = \"<channel>:<external_id>\")",
    (model.MESSAGES, "client_key_sparse"): "message_keys (_id = \"client:<client_key>\")",
    (model.CONTACTS, "identity_unique_sparse"): "identities (_id = \"<kind>:<value>\", contact_id)",
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
