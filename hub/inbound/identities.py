"""Joining what a customer tells us about themselves to the right contact, only once it is proven.

A website-chat visitor who types an email has *claimed* it: the claim is kept on the visitor's own
contact for agents to see, and it joins nothing and reveals nothing (no history, no name, no hint
whether anyone holds that address). Only a proven identity — signed by the host site, or shown by a
one-time code mailed to the address — joins the contact that holds it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from channels.base import EMAIL, WEBCHAT, Identity
from channels.email.headers import normalise_address
from hub.clock import utcnow
from hub.errors import BadInput
from hub.runtime import Hub
from hub.store import claims, contact_merges, contacts
from hub.store.db import Doc
from hub.store.documents import Contact

log = logging.getLogger(__name__)

# An opaque user id a host site vouches for (its own account id), when it signs no email.
SITE_USER = "site_user"
MAX_IDENTIFIER = 254

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")


def normalise_email(raw: str) -> str:
    """An address a visitor gave (or a host site signed), in the form mail from it is stored under, so a
    proven address finds the contact its mail made (`Ana@Example.COM.` and `ana@example.com` are one)."""
    email = raw.strip()
    address = normalise_address(email) if len(email) <= 254 and _EMAIL.match(email) else None
    if address is None:
        raise BadInput("that does not look like an email address")
    return address


def identity_signature(secret: str, identifier: str) -> str:
    """What the host site's backend computes: hex HMAC-SHA256(secret, identifier)."""
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


def signature_matches(secret: str, identifier: str, given: str) -> bool:
    return hmac.compare_digest(identity_signature(secret, identifier).encode(), given.strip().lower().encode())


def signed_identity(identifier: str) -> Identity:
    """An email identifier is the customer's address; anything else is the host site's own user id."""
    identifier = identifier.strip()
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        raise BadInput(f"'identifier' must be 1 to {MAX_IDENTIFIER} characters")
    if "@" in identifier:
        try:
            return Identity(EMAIL, normalise_email(identifier))
        except BadInput:
            pass
    return Identity(SITE_USER, identifier)


async def claim(hub: Hub, visitor: Identity, name: str | None, email: str | None) -> Contact:
    """The visitor says who they are. Their own contact gets the name (if it has none) and the email as
    an unverified claim; the answer is the same whether or not anyone holds that address."""
    db, now = hub.db, utcnow()
    identity = Identity(EMAIL, normalise_email(email)) if email else None
    contact = await contacts.resolve(db, visitor, None, now)
    if identity is not None and not contacts.holds(contact, identity.kind, identity.value):
        await claims.add(db, contact["_id"], identity, now)
        log.info("visitor claimed an identity (unverified) contact=%s kind=%s", contact["_id"], identity.kind)
    if name and name.strip() and not contact.get("name"):
        await contacts.set_name(db, contact["_id"], name.strip()[:200])
    return await contacts.get(db, contact["_id"]) or contact


def _holds_someone_else(contact: Mapping[str, Any], proven: Identity) -> bool:
    """A contact already proven to be another person (other than by visitor ids, which prove nothing)."""
    return any(i.get("kind") != WEBCHAT and (i.get("kind"), i.get("value")) != (proven.kind, proven.value)
               for i in contact.get("identities", []))


@dataclass(frozen=True)
class Joined:
    contact: Contact
    # False when this browser's visitor already belongs to another proven person: the caller must start
    # a fresh visitor (one browser, two people: a shared computer) and join that one instead.
    same_visitor: bool = True


@dataclass(frozen=True)
class Held:
    contact: Contact  # the contact that now holds the identity
    merge: Doc | None = None  # the merge record, when the giver was folded into the contact holding it


async def give_identity(hub: Hub, contact: Contact, identity: Identity, by: ObjectId | None = None) -> Held | None:
    """`contact` is proven (or vouched) to be who holds `identity`: the contact holding it absorbs
    `contact`, or, when nobody holds it, `contact` takes it. None when a race changed either meanwhile
    (the unique identities index settles it): the caller looks again."""
    db = hub.db
    owner = await contacts.find_by_identity(db, identity)
    if owner is None:
        if not await contacts.add_identity(db, contact["_id"], identity):
            return None
        return Held(await contacts.get(db, contact["_id"]) or contact)
    if owner["_id"] == contact["_id"]:
        return Held(owner)
    record = await contact_merges.move_into(db, contact["_id"], owner["_id"], utcnow(), by=by)
    if record is None:
        return None
    log.info("contact joined the contact holding its %s from=%s into=%s", identity.kind, contact["_id"], owner["_id"])
    return Held(await contacts.get(db, owner["_id"]) or owner, record)


async def join_learnt(hub: Hub, identity: Identity, name: str | None, learnt: Identity) -> Held:
    """A provider vouched that the sender of `identity` also holds `learnt` (Telegram's own phone number)."""
    for _ in range(3):
        contact = await contacts.resolve(hub.db, identity, name, utcnow())
        held = await give_identity(hub, contact, learnt)
        if held is not None:
            return held
    raise RuntimeError(f"could not join {identity.kind} to the contact holding its {learnt.kind}")


async def join_proven(hub: Hub, visitor: Identity, proven: Identity, by: ObjectId | None = None) -> Joined:
    """The visitor proved `proven`: their contact and the one holding it become one, and the visitor
    sees its history from now on."""
    db = hub.db
    for _ in range(3):  # the unique identities index settles races; a lost race looks again
        current = await contacts.find_by_identity(db, visitor)
        owner = await contacts.find_by_identity(db, proven)
        if current is not None and owner is not None and current["_id"] == owner["_id"]:
            await claims.remove(db, owner["_id"], proven)
            return Joined(owner)
        if current is not None and _holds_someone_else(current, proven):
            return Joined(current, same_visitor=False)
        if current is None and owner is not None:
            # A visitor with no contact yet: the holder takes this visitor id.
            if not await contacts.add_identity(db, owner["_id"], visitor):
                continue
            log.info("visitor joined the contact of a proven identity into=%s kind=%s", owner["_id"], proven.kind)
            return Joined(await contacts.get(db, owner["_id"]) or owner)
        current = current or await contacts.resolve(db, visitor, None, utcnow())
        held = await give_identity(hub, current, proven, by=by)
        if held is None:
            continue
        await claims.remove(db, held.contact["_id"], proven)
        log.info("visitor proved an identity contact=%s kind=%s", held.contact["_id"], proven.kind)
        return Joined(held.contact)
    raise RuntimeError(f"could not join the visitor to {proven.kind}")
