"""Who may see what: a conversation, a message or a contact the user may open, else 404."""

from __future__ import annotations

from hub.errors import NotFound
from hub.runtime import Hub
from hub.store import contacts, conversations, messages
from hub.store.db import Doc, oid
from hub.store.documents import Contact, Conversation, Message


async def visible_conversation(hub: Hub, user: Doc, raw_id: str) -> Conversation:
    """The conversation if it exists and this user may see it; the same 404 otherwise (no probing)."""
    conversation_id = oid(raw_id)
    conversation = await conversations.get(hub.db, conversation_id) if conversation_id else None
    if conversation is None or not conversations.can_see(user, conversation):
        raise NotFound("conversation not found")
    return conversation


async def visible_message(hub: Hub, user: Doc, raw_id: str, missing: str = "message not found") -> Message:
    """The message if it exists and its conversation is visible to this user; the same 404 otherwise."""
    message_id = oid(raw_id)
    message = await messages.get(hub.db, message_id) if message_id else None
    if message is None:
        raise NotFound(missing)
    await visible_conversation(hub, user, str(message["conversation_id"]))
    return message


async def contact_or_404(hub: Hub, raw_id: str) -> Contact:
    contact_id = oid(raw_id)
    contact = await contacts.get(hub.db, contact_id) if contact_id else None
    if contact is None:
        raise NotFound("contact not found")
    return contact
