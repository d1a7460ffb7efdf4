"""Agent replies and notes: a reply is a queued message, the outbox row the dispatcher sends."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from channels.base import IDENTITY_FOR_CHANNEL, ReplyRules
from hub import model
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import BadInput, Conflict
from hub.ingest import check_text
from hub.store import contacts, conversations, messages
from hub.store.db import Doc


def reply_identity(contact: Doc, channel: str) -> Doc | None:
    kind = IDENTITY_FOR_CHANNEL.get(channel)
    for identity in contact.get("identities", []):
        if identity.get("kind") == kind:
            return dict(identity)
    return None


async def post(hub: Hub, user: Doc, conversation: Doc, text: str, *, note: bool = False,
               channel: str | None = None, client_key: str | None = None,
               extras: dict[str, Any] | None = None) -> tuple[Doc, bool]:
    """Queue a reply on the customer's channel (default: the last one they used), or add a note.

    Returns (message, created); the same `client_key` twice (a double click) gives one message.
    """
    text = text.strip()
    if not text:
        raise BadInput("the message is empty")
    check_text(hub, text)
    now = utcnow()
    doc: Doc = {
        "conversation_id": conversation["_id"],
        "contact_id": conversation["contact_id"],
        "kind": "message",
        "text": text,
        "author": {"type": "agent", "id": user["_id"], "name": user.get("name")},
        "created_at": now,
    }
    # An auto-reply (extras "automatic") is no agent's answer: it must not stop SLA and queue clocks.
    automatic = bool((extras or {}).get("automatic"))
    if automatic:
        doc["author"] = {"type": "system", "name": user.get("name")}
    if client_key:
        doc["client_key"] = f"{user['_id']}:{client_key[:100]}"
    if note:
        doc.update(direction=model.NOTE, channel=None)
        created_doc, created = await messages.insert_unique(hub.db, doc)
        return created_doc, created
    channel = channel or conversation.get("last_channel")
    if not channel:
        raise BadInput("this conversation has no channel to reply on")
    contact = await contacts.get(hub.db, conversation["contact_id"])
    identity = reply_identity(contact or {}, channel)
    if identity is None:
        raise Conflict(f"the customer has no {channel} address to reply to")
    adapter = hub.channel(channel)
    if isinstance(adapter, ReplyRules):
        refusal = adapter.refuse_reply(conversation, extras or {}, now)
        if refusal:
            raise Conflict(refusal)
    doc.update(direction=model.OUT, channel=channel, to=identity, extras=extras or {})
    queued, created = await messages.enqueue(hub.db, doc)
    if created:
        if not automatic:
            await conversations.agent_replied(hub.db, conversation["_id"], now, model.preview(text))
        hub.outbox_wakeup.set()
    return queued, created


async def retry(hub: Hub, message_id: ObjectId) -> Doc | None:
    doc = await messages.retry_failed(hub.db, message_id, utcnow())
    if doc is not None:
        hub.outbox_wakeup.set()
    return doc
