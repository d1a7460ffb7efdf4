"""identities: who holds each identity, one document per identity keyed by the value itself.

`{_id: "<kind>:<value>", kind, value, contact_id}`. One contact per identity was a unique multikey index
on `contacts.identities`, which a cluster sharded by the contact's `_id` cannot enforce; here it is the
`_id` index of a collection sharded by `_id` (docs/scaling.md). The claim is authoritative: a contact's
`identities` array is its copy for display and search, written after the claim (and repaired from it).

A claim is inserted before the contact it names exists (`contacts.resolve` proposes the new contact's
id), so a crash between the two leaves a claim whose contact is missing: the next resolver creates the
contact with exactly that id, and the contacts' `_id` index lets only one in. A merged-away holder is
followed to the contact it was merged into (a merge re-points its claims right after it marks the source).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.db.client import (  # not hub.store.db: its start-up migration imports this module
    Db,
    Doc,
    insert_new,
)


def key(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def key_of(identity: Doc) -> str:
    return key(str(identity["kind"]), str(identity["value"]))


async def holders(db: Db, wanted: Iterable[str]) -> dict[str, ObjectId]:
    """key -> the contact id its claim names, for the keys that are claimed."""
    keys = list(set(wanted))
    if not keys:
        return {}
    return {d["_id"]: d["contact_id"] async for d in db[model.IDENTITIES].find({"_id": {"$in": keys}})}


async def holder(db: Db, kind: str, value: str) -> ObjectId | None:
    found = await db[model.IDENTITIES].find_one({"_id": key(kind, value)})
    return None if found is None else found["contact_id"]


async def claim(db: Db, kind: str, value: str, contact_id: ObjectId, now: datetime) -> ObjectId:
    """Claim the identity for `contact_id`; returns who holds it (another contact when it was taken)."""
    for _ in range(3):
        try:
            await db[model.IDENTITIES].insert_one({"_id": key(kind, value), "kind": kind, "value": value,
                                                   "contact_id": contact_id, "at": now})
        except DuplicateKeyError:
            held = await holder(db, kind, value)
            if held is not None:
                return held
            continue  # released between the two (a failed add_identity): try again
        return contact_id
    raise RuntimeError(f"could not claim {kind}:{value}")


async def take_over(db: Db, kind: str, value: str, was: ObjectId, contact_id: ObjectId) -> bool:
    """Re-point a claim from `was` (gone, or merged away) to `contact_id`, if nobody else did meanwhile."""
    moved = await db[model.IDENTITIES].update_one({"_id": key(kind, value), "contact_id": was},
                                                  {"$set": {"contact_id": contact_id}})
    return moved.matched_count == 1


async def move(db: Db, identities: list[Doc], source_id: ObjectId, target_id: ObjectId) -> list[Doc]:
    """Re-point the claims `source_id` holds among `identities` to `target_id`; returns the ones moved."""
    keys = [key_of(i) for i in identities]
    if not keys:
        return []
    await db[model.IDENTITIES].update_many({"_id": {"$in": keys}, "contact_id": source_id},
                                           {"$set": {"contact_id": target_id}})
    held = await holders(db, keys)
    return [i for i in identities if held.get(key_of(i)) == target_id]


async def release(db: Db, kind: str, value: str, contact_id: ObjectId) -> None:
    await db[model.IDENTITIES].delete_one({"_id": key(kind, value), "contact_id": contact_id})


async def adopt_existing(db: Db) -> None:
    """Start-up migration (hub/store/db.py, before the old unique index is dropped): a claim for every
    identity a live contact holds. Idempotent: a claim already there is left alone."""
    batch: list[Doc] = []
    cursor = db[model.CONTACTS].find({"identities": {"$exists": True}, "merged_into": {"$exists": False}},
                                     {"identities": 1})
    async for contact in cursor:
        for identity in contact.get("identities") or []:
            batch.append({"_id": key_of(identity), "kind": identity["kind"], "value": identity["value"],
                          "contact_id": contact["_id"]})
        if len(batch) >= 500:
            await insert_new(db[model.IDENTITIES], batch)
            batch = []
    if batch:
        await insert_new(db[model.IDENTITIES], batch)

