"""Contacts: who a customer is, across every identity they write from."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from channels.base import Identity
from hub import names as model
from hub.clock import utcnow
from hub.store import identities, search
from hub.store.db import Db, Doc
from hub.store.documents import Contact, as_contact, contacts_in


def holds(contact: Mapping[str, Any], kind: str, value: str) -> bool:
    return any(i.get("kind") == kind and i.get("value") == value for i in contact.get("identities", []))


async def resolve(db: Db, identity: Identity, name: str | None, now: datetime) -> Contact:
    """Find the contact holding `identity`, creating it if new.

    The claim (hub/store/identities.py) comes first, with the new contact's id: concurrent first messages
    meet its `_id` index, and a claim whose contact a crash never wrote is finished here, with its id.
    """
    for _ in range(5):
        doc = await find_by_identity(db, identity)
        if doc is not None:
            if name and not doc.get("name"):
                doc = await set_name(db, doc["_id"], name) or doc
            return doc
        held = await identities.holder(db, identity.kind, identity.value)
        if held is None:
            proposed = ObjectId()
            held = await identities.claim(db, identity.kind, identity.value, proposed, now)
            if held != proposed:
                continue  # a concurrent first message claimed it; the next try finds its contact
        insert: Doc = {"_id": held, "identities": [identity.as_doc()], "created_at": now, "last_seen_at": now,
                       "attributes": {}, "tags": []}
        if name:
            insert.update(name=name, name_lower=name.casefold())
        insert.update(search.contact_fields(insert))
        try:
            await db[model.CONTACTS].insert_one(insert)
        except DuplicateKeyError:
            continue  # the claim's creator wrote it meanwhile; the next try finds it
        return as_contact(insert)
    raise RuntimeError(f"could not resolve contact for {identity}")


async def set_name(db: Db, contact_id: ObjectId, name: str) -> Contact | None:
    doc = await contacts_in(db).find_one_and_update(
        {"_id": contact_id},
        {"$set": {"name": name, "name_lower": name.casefold()}},
        return_document=ReturnDocument.AFTER,
    )
    return await refresh_search(db, doc) if doc is not None else None


async def refresh_search(db: Db, contact: Contact) -> Contact:
    """Recompute the search and duplicate-matching fields after the name or identities changed."""
    fields = search.contact_fields(contact)
    await db[model.CONTACTS].update_one({"_id": contact["_id"]}, {"$set": fields})
    return as_contact({**contact, **fields})


async def get(db: Db, contact_id: ObjectId) -> Contact | None:
    return await contacts_in(db).find_one({"_id": contact_id})


async def find_by_identity(db: Db, identity: Identity) -> Contact | None:
    """The live contact the identity's claim names: a merged-away holder is followed to the contact it was
    merged into, and the claim moved along (a merge that stopped midway is finished here)."""
    held = await identities.holder(db, identity.kind, identity.value)
    return None if held is None else await _live_holder(db, held, identity)


async def _live_holder(db: Db, contact_id: ObjectId, identity: Identity) -> Contact | None:
    for _ in range(_MAX_HOPS):
        contact = await get(db, contact_id)
        if contact is None:
            return None  # a claim whose contact was never written (resolve finishes it)
        merged_into = contact.get("merged_into")
        if merged_into is None:
            if not holds(contact, identity.kind, identity.value):
                # The claim is written first: a copy a crash (or a merge midway) left out is added now.
                await db[model.CONTACTS].update_one({"_id": contact_id},
                                                    {"$addToSet": {"identities": identity.as_doc()}})
                contact = as_contact({**contact, "identities": [*contact.get("identities", []), identity.as_doc()]})
            return contact
        await identities.take_over(db, identity.kind, identity.value, contact_id, merged_into)
        contact_id = merged_into
    return None


_MAX_HOPS = 5


async def add_identity(db: Db, contact_id: ObjectId, identity: Identity) -> bool:
    """Attach an identity; False when another contact already holds it (or this one was merged away:
    a merged-away contact must hold none, see contact_merges)."""
    held = await identities.claim(db, identity.kind, identity.value, contact_id, utcnow())
    if held != contact_id:
        other = await _live_holder(db, held, identity)
        if other is not None and other["_id"] != contact_id:
            return False
        if other is None and not await identities.take_over(db, identity.kind, identity.value, held, contact_id):
            return False  # the claim of a contact never written, taken by someone else first
    result = await db[model.CONTACTS].update_one(
        {"_id": contact_id, "merged_into": {"$exists": False}}, {"$addToSet": {"identities": identity.as_doc()}})
    if result.matched_count == 0:
        await identities.release(db, identity.kind, identity.value, contact_id)
        return False
    contact = await get(db, contact_id)
    if contact is not None:
        await refresh_search(db, contact)
    return True


async def search_by_identity(db: Db, kind: str, value: str) -> list[Contact]:
    found = await find_by_identity(db, Identity(kind, value))
    return [] if found is None else [found]


async def record_source(db: Db, contact_id: ObjectId, source: Doc) -> None:
    """Where a customer came from (a campaign's deep link): the first one stays `source`, all are kept."""
    await db[model.CONTACTS].update_one({"_id": contact_id, "source": {"$exists": False}},
                                        {"$set": {"source": source}})
    await db[model.CONTACTS].update_one({"_id": contact_id}, {"$push": {"sources": {"$each": [source],
                                                                                   "$slice": -50}}})


async def page(db: Db, before: ObjectId | None = None, limit: int = 50) -> list[Contact]:
    """Contacts newest first, keyset-paginated on _id (merged-away records left out)."""
    query: Doc = {"merged_into": {"$exists": False}}
    if before is not None:
        query["_id"] = {"$lt": before}
    return await contacts_in(db).find(query).sort("_id", -1).limit(limit).to_list(limit)


async def set_attributes(db: Db, contact_id: ObjectId, values: Doc, removed: list[str], now: datetime
                         ) -> Contact | None:
    """Set (already validated) custom attribute values; `removed` names the ones cleared."""
    update: dict[str, Any] = {"$set": {**{f"attributes.{k}": v for k, v in values.items()}, "updated_at": now}}
    if removed:
        update["$unset"] = {f"attributes.{k}": "" for k in removed}
    return await contacts_in(db).find_one_and_update({"_id": contact_id}, update,
                                                     return_document=ReturnDocument.AFTER)


async def set_tags(db: Db, contact_id: ObjectId, tags: list[str], now: datetime) -> Contact | None:
    return await contacts_in(db).find_one_and_update(
        {"_id": contact_id}, {"$set": {"tags": tags, "updated_at": now}}, return_document=ReturnDocument.AFTER)


async def likely_duplicates(db: Db, contact: Contact, limit: int = 10) -> list[Contact]:
    """Other contacts sharing a name, a phone number's subscriber digits or an email's local part."""
    keys = contact.get("match_keys") or search.match_keys(contact)
    if not keys:
        return []
    found = await contacts_in(db).find({"match_keys": {"$in": keys}}).limit(limit + 1).to_list(limit + 1)
    return [c for c in found if c["_id"] != contact["_id"] and c.get("merged_into") is None][:limit]


async def set_username(db: Db, contact_id: ObjectId, channel: str, username: str | None) -> Contact | None:
    """Keep the public username a channel reports (Telegram's @name), searchable; None clears it.

    Kept beside the identities, not in them: the identity is the stable id (a username can change
    hands), and identity documents must compare equal for the unique index and `holds`.
    """
    doc = await contacts_in(db).find_one_and_update(
        {"_id": contact_id}, {"$set": {f"usernames.{channel}": username}}, return_document=ReturnDocument.AFTER)
    return await refresh_search(db, doc) if doc is not None else None


async def lacking_username(db: Db, kind: str, channel: str, limit: int) -> list[ObjectId]:
    """Contacts with a `kind` identity whose `channel` username was never looked for (the start's backfill)."""
    # A scan (no index on the identities copy), once per start and only until every contact was looked at.
    cursor = db[model.CONTACTS].find({"identities.kind": kind}, {"usernames": 1})
    found: list[ObjectId] = []
    async for doc in cursor:
        if channel not in (doc.get("usernames") or {}):
            found.append(doc["_id"])
            if len(found) == limit:
                break
    return found
