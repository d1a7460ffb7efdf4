"""Contacts as the API and the inbox show them: profiles, merge previews and pairs, field definitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.base import EMAIL, PHONE, TELEGRAM, Identity
from hub import names as model
from hub.actions import presenters as present
from hub.actions.access import contact_or_404
from hub.clock import utcnow
from hub.errors import BadInput, Conflict
from hub.inbound import identities
from hub.runtime import Hub
from hub.store import claims, contact_merges, contacts, conversations, custom_fields, identity_search, messages
from hub.store.db import Doc
from hub.store.documents import Contact
from routing.text import ascii_digits


async def find_by_identity(hub: Hub, kind: str, value: str) -> list[Contact]:
    """Contacts holding `kind:value`, read as a person would write it: a phone number in any format
    (hub/store/identity_search.py's rule), a Telegram user id or @username, an email in any case."""
    if kind == PHONE and (number := identity_search.phone_query(value)) is not None:
        return await identity_search.contacts_by_phone(hub.db, number)
    if kind == TELEGRAM and (username := identity_search.username_query(value)) is not None:
        return await identity_search.contacts_by_username(hub.db, username)
    if kind == EMAIL:
        value = value.strip().lower()
    elif kind == TELEGRAM:
        value = ascii_digits(value.strip())  # a user id typed in Persian or Arabic-Indic digits
    return await contacts.search_by_identity(hub.db, kind, value)


def present_preview(planned: Doc) -> dict[str, Any]:
    """What a merge would move and what looks like two people, for the lead to confirm."""
    source_active, target_active = planned["source_active"], planned["target_active"]
    return {
        "source": present.contact(planned["source"]), "target": present.contact(planned["target"]),
        "identities": planned["identities"],
        "conversations": [{"id": c["_id"], "status": c.get("status"), "active": bool(c.get("active")),
                           "last_message_preview": c.get("last_message_preview")} for c in planned["conversations"]],
        "messages": planned["messages_total"],
        "active_conversation": {
            "outcome": planned["active_outcome"],
            "source_id": source_active["_id"] if source_active else None,
            "target_id": target_active["_id"] if target_active else None,
            "messages_moving": planned["messages_moving"],
        },
        "conflicts": planned["conflicts"],
        "needs_confirmation": any(c["kind"] in contact_merges.PERSON_KINDS for c in planned["conflicts"]),
    }


async def merge_pair(hub: Hub, source_raw: str, target_raw: str) -> tuple[Contact, Contact]:
    """The two contacts of a merge, both live and different, or the error saying why not."""
    source = await contact_or_404(hub, source_raw)
    target = await contact_or_404(hub, target_raw)
    if source["_id"] == target["_id"]:
        raise BadInput("a contact cannot be merged into itself")
    if source.get("merged_into") is not None or target.get("merged_into") is not None:
        raise Conflict("one of these contacts was already merged into another")
    return source, target


async def profile(hub: Hub, user: Doc, contact: Contact) -> dict[str, Any]:
    """A contact with what this user may see of it: conversations follow the department rule."""
    visible = conversations.visibility_filter(user)
    history = [c for c in await conversations.for_contact(hub.db, contact["_id"])
               if not visible or conversations.can_see(user, c)]
    duplicates = await contacts.likely_duplicates(hub.db, contact)
    return {
        "contact": contact, "conversations": history, "fields": await custom_fields.all_fields(hub.db),
        "duplicates": [{"contact": d, "conflicts": contact_merges.identity_conflicts(contact, d)} for d in duplicates],
        "merges": await contact_merges.records_for(hub.db, contact["_id"]),
    }


def present_field(field: Doc) -> dict[str, Any]:
    return {k: field[k] for k in ("key", "label", "type", "choices") if k in field}


async def accept_claim(hub: Hub, user: Doc, conversation: Mapping[str, Any], identity: Identity) -> None:
    """A lead vouches for what the customer said: merge into the contact holding it, or, if nobody holds
    it, attach it to this contact as verified by that lead. Recorded in the timeline either way."""
    contact = await contacts.get(hub.db, conversation["contact_id"])
    claimed = claims.claims_of(contact) if contact else []
    said = [c for c in claimed if (c.get("kind"), c.get("value")) == (identity.kind, identity.value)]
    if contact is None or not said:
        raise Conflict("the customer no longer claims that identity here; reload the page")
    held = await identities.give_identity(hub, contact, identity, by=user["_id"])
    if held is None:
        raise Conflict("nothing changed: the contact or that identity changed meanwhile; reload and try again")
    who, value = user.get("name") or user.get("email"), identity.value
    if held.merge is not None:
        text = f"{who} merged this customer into {held.contact.get('name') or value}: they said they are {value}."
        data: Doc = {"type": "claim_merged", "kind": identity.kind, "value": value, "into": held.contact["_id"],
                     "merge_id": held.merge.get("_id")}
    else:
        text = f"{who} verified that this customer is {value}."
        data = {"type": "claim_verified", "kind": identity.kind, "value": value}
    await claims.remove(hub.db, contact["_id"], identity)
    moved = await conversations.get(hub.db, conversation["_id"]) or conversation
    await messages.insert_event(hub.db, moved, text, data, utcnow(), author=model.agent_author(user))
