"""Mailboxes added in the admin UI (the email channel also reads EMAIL_MAILBOXES from settings).

Passwords are stored in the document (the hub needs them in clear to log in to the mail servers) but
`listing` never returns them: only whether one is set.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from hub.store.db import Db, Doc

MAILBOXES = "mailboxes"
SECRET_PATHS = ("smtp.password", "imap.password")


class AddressTaken(ValueError):
    pass


async def ensure_indexes(db: Db) -> None:
    await db[MAILBOXES].create_indexes([IndexModel([("address", ASCENDING)], unique=True, name="address_unique")])


def _without_secrets(doc: Doc) -> Doc:
    shown = dict(doc)
    for part in ("smtp", "imap"):
        section = shown.get(part)
        if isinstance(section, dict):
            section = dict(section)
            section["password_set"] = bool(section.pop("password", ""))
            shown[part] = section
    return shown


async def listing(db: Db) -> list[Doc]:
    """Every stored mailbox for people to see: passwords replaced by `password_set`."""
    return [_without_secrets(doc) async for doc in db[MAILBOXES].find().sort("address", ASCENDING)]


async def all_with_secrets(db: Db) -> list[Doc]:
    """For the email channel only: it needs the passwords to reach the mail servers."""
    return await db[MAILBOXES].find().sort("address", ASCENDING).to_list(1000)


async def get_with_secrets(db: Db, mailbox_id: ObjectId) -> Doc | None:
    return await db[MAILBOXES].find_one({"_id": mailbox_id})


async def create(db: Db, fields: Doc, now: datetime) -> Doc:
    doc: Doc = {**fields, "created_at": now, "updated_at": now}
    try:
        result = await db[MAILBOXES].insert_one(doc)
    except DuplicateKeyError:
        raise AddressTaken(f"a mailbox for {fields['address']} already exists") from None
    doc["_id"] = result.inserted_id
    return _without_secrets(doc)


async def replace(db: Db, mailbox_id: ObjectId, fields: Doc, now: datetime) -> Doc | None:
    try:
        result = await db[MAILBOXES].update_one({"_id": mailbox_id}, {"$set": {**fields, "updated_at": now},
                                                                      "$unset": {k: "" for k in ("smtp", "imap")
                                                                                 if k not in fields}})
    except DuplicateKeyError:
        raise AddressTaken(f"a mailbox for {fields['address']} already exists") from None
    if result.matched_count == 0:
        return None
    found = await db[MAILBOXES].find_one({"_id": mailbox_id})
    return _without_secrets(found) if found else None


async def delete(db: Db, mailbox_id: ObjectId) -> bool:
    return (await db[MAILBOXES].delete_one({"_id": mailbox_id})).deleted_count == 1

# The email plugin puts an async callable here (hub.extras) so a save in this process is seen at once;
# other processes see it at their next periodic refresh.
CHANGED_HOOK = "email.mailboxes_changed"
# ... and the mailboxes from EMAIL_MAILBOXES here (a list of channels.email.settings.Mailbox), read-only.
FROM_SETTINGS = "email.settings_mailboxes"
