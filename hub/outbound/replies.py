"""Agent replies and notes: a reply is a queued message, the outbox row the dispatcher sends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from channels.base import Attachment, ReplyRules
from hub import channel_catalog
from hub import names as model
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, check_text
from hub.outbound import email_reply
from hub.runtime import Hub
from hub.store import contacts, conversations, messages
from hub.store.db import Doc
from hub.store.documents import Message


def reply_identity(contact: Mapping[str, Any], channel: str) -> Doc | None:
    kind = channel_catalog.identity_kind(channel)
    for identity in contact.get("identities", []):
        if identity.get("kind") == kind:
            return dict(identity)
    return None


async def post(hub: Hub, user: Doc, conversation: Mapping[str, Any], text: str, *, note: bool = False,
               channel: str | None = None, client_key: str | None = None,
               extras: dict[str, Any] | None = None, mentions: list[ObjectId] | None = None,
               attachments: list[Attachment] | None = None, cc: list[str] | None = None,
               bcc: list[str] | None = None) -> tuple[Message, bool]:
    """Queue a reply on the customer's channel (default: the last one they used), or add a note.

    `attachments` are files already stored (hub.uploads); with one, the text may be empty.
    An agent's email reply also keeps its `cc`, `bcc`, the agent's signature and name (email_reply).
    Returns (message, created); the same `client_key` twice (a double click) gives one message.
    """
    text = text.strip()
    if not text and not attachments:
        raise BadInput("the message is empty: write something or attach a file")
    if text:
        check_text(text, hub.settings.max_text_bytes)
    now = utcnow()
    doc: Doc = {
        "conversation_id": conversation["_id"],
        "contact_id": conversation["contact_id"],
        "kind": "message",
        "text": text,
        "author": model.agent_author(user),
        "created_at": now,
    }
    if attachments:
        doc["attachments"] = [a.as_doc() for a in attachments]
    # An auto-reply (extras "automatic") is no agent's answer: it must not stop SLA and queue clocks.
    automatic = bool((extras or {}).get("automatic"))
    if automatic:
        doc["author"] = {"type": "system", "name": user.get("name")}
    if client_key:
        doc["client_key"] = f"{user['_id']}:{client_key[:100]}"
    email_reply.refuse_copies_off_email(cc or [], bcc or [], channel or conversation.get("last_channel"), note)
    if note:
        doc.update(direction=model.NOTE, channel=None)
        if mentions:
            doc["mentions"] = mentions
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
    extras = dict(extras or {})
    if email_reply.is_mail(channel) and not automatic:
        extras.update(email_reply.reply_extras(user, cc or [], bcc or [], str(identity.get("value") or "")))
    doc.update(direction=model.OUT, channel=channel, to=identity, extras=extras)
    queued, created = await messages.enqueue(hub.db, doc)
    if created:
        if not automatic:
            preview = text or "📎 " + ", ".join(a.filename for a in attachments or [])
            await conversations.agent_replied(hub.db, conversation["_id"], now, model.preview(preview),
                                              agent_id=user["_id"], channel=channel)
        hub.outbox_wakeup.set()
    return queued, created


async def retry(hub: Hub, message_id: ObjectId) -> Message | None:
    doc = await messages.retry_failed(hub.db, message_id, utcnow())
    if doc is not None:
        hub.outbox_wakeup.set()
    return doc


class ReplyHeld(Conflict):
    """Something new arrived since the agent last looked: the reply waits for a "send anyway"."""

    def __init__(self, message: str, newer: list[Message]) -> None:
        super().__init__(message)
        self.newer = newer


async def check_not_stale(hub: Hub, user: Doc, conversation: Mapping[str, Any], last_seen_id: ObjectId) -> None:
    """Hold a reply when a customer message or another agent's reply came after the one the agent saw."""
    seen = await messages.get(hub.db, last_seen_id)
    if seen is None or seen.get("conversation_id") != conversation["_id"]:
        raise BadInput("last_seen_id is not a message of this conversation; reload the page")
    later = await messages.timeline(hub.db, conversation["_id"], after=(seen["created_at"], seen["_id"]), limit=200)
    newer = [m for m in later if m.get("direction") == model.IN or (
        m.get("direction") == model.OUT and (m.get("author") or {}).get("id") != user["_id"]
        and (m.get("author") or {}).get("type") == "agent")]
    if not newer:
        return
    customer = sum(1 for m in newer if m.get("direction") == model.IN)
    agents = len(newer) - customer
    parts = []
    if customer:
        parts.append("the customer wrote again" if customer == 1 else f"the customer wrote {customer} more messages")
    if agents:
        names = sorted({str((m.get("author") or {}).get("name") or "another agent") for m in newer
                        if m.get("direction") == model.OUT})
        parts.append(f"{', '.join(names)} replied")
    raise ReplyHeld(f"Your reply was held: {' and '.join(parts)} since you loaded this conversation. "
                    "Read the new messages, then send anyway or change your reply.", newer)
