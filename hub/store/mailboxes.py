"""Mailboxes added in the admin UI (the email channel also reads EMAIL_MAILBOXES from settings).

Passwords are sealed (Fernet, with a key derived from HUB_SECRET_KEY) before they are stored: a
copy of the database or a backup alone does not give away the mail accounts. `listing` never returns
them, only whether one is set; the email channel unseals them to log in.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store import sealed as sealing
from hub.store.db import Db, Doc

log = logging.getLogger(__name__)

SECRET_PATHS = ("smtp.password", "imap.password")


class AddressTaken(ValueError):
    pass




PURPOSE = b"hub-mailbox-secrets:"


def _sections(doc: Doc) -> list[tuple[str, Doc]]:
    return [(part, dict(doc[part])) for part in ("smtp", "imap") if isinstance(doc.get(part), dict)]


def _seal(fields: Doc, key: str) -> Doc:
    sealed = dict(fields)
    for part, section in _sections(fields):
        password = section.pop("password", "")
        if password:
            section["password_sealed"] = sealing.seal(key, PURPOSE, str(password))
        sealed[part] = section
    return sealed


def _unseal(doc: Doc, key: str) -> Doc:
    opened = dict(doc)
    for part, section in _sections(doc):
        token = section.pop("password_sealed", "")
        if token:
            opened_password = sealing.unseal(key, PURPOSE, token)
            if opened_password is None:
                # HUB_SECRET_KEY changed since the password was saved: it has to be entered again.
                log.warning("mailbox password cannot be unsealed; re-enter it address=%s", doc.get("address"))
            section["password"] = opened_password or ""
        opened[part] = section
    return opened


def _without_secrets(doc: Doc) -> Doc:
    shown = dict(doc)
    for part, section in _sections(doc):
        section["password_set"] = bool(section.pop("password", "")) | bool(section.pop("password_sealed", ""))
        shown[part] = section
    return shown


async def listing(db: Db) -> list[Doc]:
    """Every stored mailbox for people to see: passwords replaced by `password_set`."""
    return [_without_secrets(doc) async for doc in db[model.MAILBOXES].find().sort("address", ASCENDING)]


async def all_with_secrets(db: Db, key: str) -> list[Doc]:
    """For the email channel only: it needs the passwords to reach the mail servers."""
    return [_unseal(doc, key) for doc in await db[model.MAILBOXES].find().sort("address", ASCENDING).to_list(1000)]


async def get_with_secrets(db: Db, mailbox_id: ObjectId, key: str) -> Doc | None:
    doc = await db[model.MAILBOXES].find_one({"_id": mailbox_id})
    return _unseal(doc, key) if doc else None


async def create(db: Db, fields: Doc, now: datetime, key: str) -> Doc:
    doc: Doc = {**_seal(fields, key), "created_at": now, "updated_at": now}
    try:
        result = await db[model.MAILBOXES].insert_one(doc)
    except DuplicateKeyError:
        raise AddressTaken(f"a mailbox for {fields['address']} already exists") from None
    doc["_id"] = result.inserted_id
    return _without_secrets(doc)


async def replace(db: Db, mailbox_id: ObjectId, fields: Doc, now: datetime, key: str) -> Doc | None:
    fields = _seal(fields, key)
    try:
        result = await db[model.MAILBOXES].update_one({"_id": mailbox_id}, {"$set": {**fields, "updated_at": now},
                                                                      "$unset": {k: "" for k in ("smtp", "imap")
                                                                                 if k not in fields}})
    except DuplicateKeyError:
        raise AddressTaken(f"a mailbox for {fields['address']} already exists") from None
    if result.matched_count == 0:
        return None
    found = await db[model.MAILBOXES].find_one({"_id": mailbox_id})
    return _without_secrets(found) if found else None


async def delete(db: Db, mailbox_id: ObjectId) -> bool:
    return (await db[model.MAILBOXES].delete_one({"_id": mailbox_id})).deleted_count == 1
