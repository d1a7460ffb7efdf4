"""What a customer says about themselves but has not proven (an email typed into the website chat).

A claim sits on the claimant's own contact as `claims: [{kind, value, at}]`. It is not an identity:
it is outside the unique identities index, joins no contact and opens nobody's history. Agents see it
and may merge by hand; a proof (signed identity, one-time code) turns it into an identity.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from channels.base import Identity
from hub import names as model
from hub.store.db import Db
from hub.store.documents import ClaimDoc, Contact

MAX_CLAIMS = 5  # the newest few; a visitor typing many addresses does not grow the document


def claims_of(contact: Contact) -> list[ClaimDoc]:
    return [c for c in contact.get("claims") or [] if isinstance(c, dict)]


async def add(db: Db, contact_id: ObjectId, identity: Identity, now: datetime) -> None:
    """Record (or refresh) a claim; the same claim twice is kept once, with its latest time."""
    collection = db[model.CONTACTS]
    await collection.update_one({"_id": contact_id},
                                {"$pull": {"claims": {"kind": identity.kind, "value": identity.value}}})
    await collection.update_one(
        {"_id": contact_id},
        {"$push": {"claims": {"$each": [{"kind": identity.kind, "value": identity.value, "at": now}],
                              "$slice": -MAX_CLAIMS}}},
    )


async def remove(db: Db, contact_id: ObjectId, identity: Identity) -> None:
    await db[model.CONTACTS].update_one({"_id": contact_id},
                                        {"$pull": {"claims": {"kind": identity.kind, "value": identity.value}}})
