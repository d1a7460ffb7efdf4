"""What must hold in a database after any sequence of joins, merges and undos."""

from __future__ import annotations

from collections import Counter

from hub import names as model
from hub.store.db import Db


async def check(db: Db, identities: set[tuple[str, str]] | None = None) -> None:
    """Each identity held by one live contact, none by a merged one; every message in a conversation of
    its own, live contact; at most one active conversation per contact; last-message fields right."""
    contacts = {c["_id"]: c async for c in db[model.CONTACTS].find({})}
    live = {cid for cid, c in contacts.items() if c.get("merged_into") is None}
    held: Counter[tuple[str, str]] = Counter()
    for cid, contact in contacts.items():
        if cid not in live:
            assert "identities" not in contact, f"merged contact {cid} still holds {contact['identities']}"
            assert contacts.get(contact["merged_into"]) is not None, f"{cid} merged into a contact that is gone"
            continue
        for identity in contact.get("identities") or []:
            held[(identity["kind"], identity["value"])] += 1
    assert all(n == 1 for n in held.values()), [k for k, n in held.items() if n > 1]
    # The claims (hub/store/identities.py) name the same holders: each identity a live contact holds is
    # claimed by it, and no claim names a merged-away or missing contact.
    claims = {(c["kind"], c["value"]): c["contact_id"] async for c in db[model.IDENTITIES].find({})}
    for cid in live:
        for identity in contacts[cid].get("identities") or []:
            key = (identity["kind"], identity["value"])
            assert claims.get(key) == cid, f"{key} held by {cid}, claimed for {claims.get(key)}"
    assert all(holder in live for holder in claims.values()), "a claim names a merged-away or missing contact"
    if identities is not None:
        missing = identities - set(held)
        assert not missing, f"identities no live contact holds: {sorted(missing)[:5]}"
    conversations = {c["_id"]: c async for c in db[model.CONVERSATIONS].find({})}
    active = Counter(c["contact_id"] for c in conversations.values() if c.get("active"))
    assert all(n == 1 for n in active.values()), "a contact with two active conversations"
    for held_by in conversations.values():
        assert held_by["contact_id"] in live, f"conversation {held_by['_id']} of a merged/unknown contact"
    newest: dict[object, tuple[object, object, str]] = {}
    async for message in db[model.MESSAGES].find({}):
        conversation = conversations.get(message["conversation_id"])
        assert conversation is not None, f"message {message['_id']} in a conversation that does not exist"
        assert message["contact_id"] == conversation["contact_id"], (
            f"message {message['_id']} belongs to {message['contact_id']}, its conversation to "
            f"{conversation['contact_id']}")
        if message["direction"] in (model.IN, model.OUT):
            assert not conversation.get("merged_into_conversation"), "a merged-away conversation still holds messages"
            key = (message["created_at"], message["_id"])
            if conversation["_id"] not in newest or key > newest[conversation["_id"]][:2]:
                newest[conversation["_id"]] = (*key, model.preview(message.get("text") or ""))
    for conversation_id, (at, _, preview) in newest.items():
        conversation = conversations[conversation_id]
        assert conversation.get("last_message_at") == at, f"conversation {conversation_id}: last_message_at"
        assert conversation.get("last_message_preview") == preview, f"conversation {conversation_id}: preview"
