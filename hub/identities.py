"""Joining what a customer tells us about themselves to the right contact."""

from __future__ import annotations

import logging
import re

from channels.base import EMAIL, Identity
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import BadInput
from hub.store import contacts
from hub.store.db import Doc

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def normalise_email(raw: str) -> str:
    email = raw.strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise BadInput("that does not look like an email address")
    local, _, domain = email.rpartition("@")
    # Only the domain is case-insensitive by standard; nearly every provider treats the local part so too.
    return f"{local}@{domain}".lower()


async def identify(hub: Hub, contact: Doc, name: str | None, email: str | None) -> Doc:
    """A visitor gave a name and/or email: an email an existing contact holds joins that contact."""
    db, now = hub.db, utcnow()
    contact_id = contact["_id"]
    if email:
        identity = Identity(EMAIL, normalise_email(email))
        owner = await contacts.find_by_identity(db, identity)
        if owner is not None and owner["_id"] != contact_id:
            log.info("visitor joined existing contact by email from=%s into=%s", contact_id, owner["_id"])
            await contacts.move_into(db, contact_id, owner["_id"], now)
            contact_id = owner["_id"]
        elif owner is None:
            await contacts.add_identity(db, contact_id, identity)
    if name and name.strip():
        current = await contacts.get(db, contact_id)
        if current is not None and not current.get("name"):
            await contacts.set_name(db, contact_id, name.strip()[:200])
    joined = await contacts.get(db, contact_id)
    assert joined is not None
    return joined
