"""The store's unique indexes against the shard keys of docs/scaling.md: every uniqueness the hub relies on
either starts with its collection's shard key or is planned to move to a collection keyed by the value,
and the sharded compose profile shards exactly the collections that are ready."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from hub.store import sharding
from hub.store.db import unique_indexes

ROOT = Path(__file__).resolve().parents[3]


def test_no_unique_index_would_be_refused_or_silently_unenforced_on_a_sharded_cluster() -> None:
    assert sharding.unique_index_problems(unique_indexes()) == []


def test_a_new_unique_index_that_does_not_start_with_the_shard_key_is_noticed() -> None:
    found = unique_indexes()
    found.setdefault("messages", []).append(("provider_unique", ("provider_id",)))
    found.setdefault("conversations", []).append(("contact_and_status", ("contact_id", "status")))
    problems = sharding.unique_index_problems(found)
    assert len(problems) == 1 and "messages.provider_unique" in problems[0]


def test_every_planned_move_names_a_unique_index_that_exists() -> None:
    existing = {(collection, name) for collection, indexes in unique_indexes().items() for name, _ in indexes}
    assert set(sharding.PLANNED_MOVES) <= existing


def test_every_move_made_left_no_unique_index_behind_and_its_collection_is_keyed_by_the_value() -> None:
    existing = {(collection, name) for collection, indexes in unique_indexes().items() for name, _ in indexes}
    assert not set(sharding.DONE_MOVES) & existing
    for target in sharding.DONE_MOVES.values():
        assert sharding.SHARD_KEYS[target] == (("_id", sharding.HASHED),) and sharding.ready(target)


def test_the_compose_profile_shards_exactly_the_ready_collections_by_their_keys() -> None:
    script = (ROOT / "deploy" / "sharding-init.js").read_text()
    sharded = dict(re.findall(r'shardCollection: "hub\.(\w+)", key: (\{[^}]*\})', script))
    ready = {c: key for c, key in sharding.SHARD_KEYS.items() if sharding.ready(c)}
    assert set(sharded) == set(ready)
    for collection, key in ready.items():
        fields = ", ".join(f'{name}: "{kind}"' if isinstance(kind, str) else f"{name}: {kind}" for name, kind in key)
        assert sharded[collection] == "{ " + fields + " }", collection


def test_the_sharded_compose_profile_is_valid() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); .ci/run installs it")
    result = subprocess.run(["docker-compose", "--profile", "sharded", "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_filter_is_targeted_when_it_pins_the_shard_keys_leading_field() -> None:
    assert sharding.targeted("messages", {"conversation_id": 1, "created_at": {"$gte": 2}})
    assert sharding.targeted("messages", {"conversation_id": {"$in": [1, 2]}})
    assert not sharding.targeted("messages", {"conversation_id": {"$gte": 1}})  # a range on a hashed key
    assert sharding.targeted("conversations", {"contact_id": {"$gte": 1}})  # a range on a ranged key
    assert not sharding.targeted("messages", {"_id": 1})
    assert sharding.targeted("messages", {"$and": [{"conversation_id": 1}, {"status": "queued"}]})
    assert sharding.targeted("users", {"email": "a@b"})  # unsharded
    assert sharding.shape({"status": "open", "last_message_at": {"$lt": 1}}) == "{last_message_at:$lt, status}"
