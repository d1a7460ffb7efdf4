"""The one way a customer message enters the hub, whatever channel it came from."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from channels.base import InboundMessage
from hub import names as model
from hub.assign import apply as routing_apply
from hub.clock import utcnow
from hub.errors import BadInput, check_text
from hub.inbound import survey_answers, usernames
from hub.runtime import Hub
from hub.store import contacts, conversations, messages, raw, search
from hub.store.db import Doc, oid
from hub.store.documents import Contact, Conversation, Message, as_contact, as_conversation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    message: Message
    conversation: Conversation
    contact: Contact
    created: bool  # False: a repeat of a message we already had




async def ingest(hub: Hub, inbound: InboundMessage, *, replay_of: ObjectId | None = None) -> IngestResult:
    """Keep the raw payload, then contact, conversation, message (deduped), routing.

    Agents and visitors hear about it from the change stream, i.e. only after the write committed.
    `replay_of`: the raw payload a crashed ingest kept (hub/recovery.py); it is not kept again.
    """
    check_text(inbound.text, hub.settings.max_text_bytes)
    if not inbound.identity.value:
        raise BadInput("the sender has no identity")
    db, batches = hub.db, hub.batches
    now = utcnow()
    if replay_of is None:
        raw_id = await batches.keep_raw.submit(raw.pending_doc(inbound, now))
        _crash_if_asked("exit_after_raw")
    else:
        raw_id = replay_of
    # The provider's id, or for a message without one its payload's key: claimed first, so a repeat (even
    # after the conversation was resolved) creates nothing, and the message takes the id the key names.
    key = (messages.external_key(inbound.channel, inbound.external_id) if inbound.external_id is not None
           else messages.raw_key(raw_id))
    message_id, existing = await batches.claim_key.submit((key, ObjectId()))
    if existing is not None:
        return await _duplicate(hub, existing, raw_id)
    _crash_if_asked("exit_after_key")
    contact = await batches.find_contact.submit((inbound.identity.kind, inbound.identity.value))
    if contact is None or (inbound.contact_name and not contact.get("name")):
        contact = await contacts.resolve(db, inbound.identity, inbound.contact_name, now)
    contact = await usernames.record(db, contact, inbound)
    conversation, needs_routing = (await survey_answers.conversation_answered(hub, inbound, contact, now)
                                   or await _conversation_for(hub, inbound, contact, now))
    explanation: Doc | None = None
    if needs_routing:
        conversation, explanation = await routing_apply.route_new(hub, conversation, contact, inbound, now)
    doc: Doc = {
        "_id": message_id,
        "dedupe_key": key,
        "conversation_id": conversation["_id"],
        "contact_id": contact["_id"],
        "direction": model.IN,
        "kind": "message",
        "channel": inbound.channel,
        "external_id": inbound.external_id,
        "text": inbound.text,
        "html": inbound.html,
        "subject": inbound.subject,
        "attachments": [a.as_doc() for a in inbound.attachments],
        "author": {"type": "contact", "id": contact["_id"], "name": contact.get("name")},
        "extras": dict(inbound.extras),
        "raw_id": raw_id,
        "received_at": inbound.received_at,
        "created_at": now,
        "search_text": search.search_text(inbound.subject, inbound.text),
    }
    if inbound.external_id is None:
        doc.pop("external_id")  # the key is the payload's own (raw:<id>), so a replay of it makes nothing
    message, created = await batches.insert_message.submit(doc)
    await conversations.customer_wrote(batches, conversation, inbound.channel, now, counted=created)
    if not created:
        log.info("duplicate inbound ignored channel=%s external_id=%s", inbound.channel, inbound.external_id)
    if explanation is not None:
        await routing_apply.record(hub, conversation, explanation, now)
    _processed(hub, raw_id)
    return IngestResult(message, conversation, contact, created)


def _processed(hub: Hub, raw_id: ObjectId) -> None:
    """The payload became a message: the recovery pass may forget it. Not awaited: the acknowledgement
    depends on the message, not on this marker, and a lost marker costs the recovery pass one lookup."""
    hub.batches.raw_processed.post(raw_id, lambda exc: log.warning(
        "raw payload not marked processed raw=%s", raw_id, exc_info=exc))


def _crash_if_asked(point: str) -> None:
    """Test-only: HUB_TEST_FAULT=<point> ends the process here, as a crash between two writes would."""
    if os.environ.get("HUB_TEST_FAULT") == point:
        log.warning("HUB_TEST_FAULT=%s: exiting now", point)
        logging.shutdown()
        os._exit(137)


async def _conversation_for(hub: Hub, inbound: InboundMessage, contact: Contact, now: datetime
                            ) -> tuple[Conversation, bool]:
    """The conversation a reply names (reopened if resolved), else the contact's active one."""
    # Files alone (a visitor's screenshot, a WhatsApp photo) are named in the list, as an agent's are.
    preview = model.preview(inbound.text or ("📎 " + ", ".join(a.filename for a in inbound.attachments)
                                             if inbound.attachments else ""))
    thread_id = oid(inbound.thread_conversation_id) if inbound.thread_conversation_id else None
    if thread_id is not None:
        joined = await conversations.touch_thread(hub.db, thread_id, contact, inbound.channel, now, preview,
                                                  may_reopen=inbound.thread_may_reopen)
        if joined is not None:
            conversation, reopened = joined
            if reopened:
                await messages.insert_event(hub.db, conversation, "Reopened by the customer's reply.",
                                            {"type": "reopened", "channel": inbound.channel}, now)
            return conversation, not conversation.get("routed")
    active = await hub.batches.find_active.submit(contact["_id"])
    if active is not None and active.get("routed"):
        update = conversations.conversation_touch(contact, inbound.channel, now, preview, inbound=True)
        if await hub.batches.touch.submit((active["_id"], update)):
            return _applied(active, update), False
    return await conversations.touch_active(hub.db, contact, inbound.channel, now, preview, inbound=True)


def _applied(conversation: Conversation, update: Doc) -> Conversation:
    """The conversation as the batched update left it (saves reading it back)."""
    doc = as_conversation({**conversation, **update["$set"]})
    doc["last_message_at"] = max(conversation.get("last_message_at") or update["$max"]["last_message_at"],
                                 update["$max"]["last_message_at"])
    return doc


async def _duplicate(hub: Hub, existing: Message, raw_id: ObjectId) -> IngestResult:
    log.info("duplicate inbound ignored channel=%s key=%s", existing["channel"], existing.get("dedupe_key"))
    _processed(hub, raw_id)
    # Both exist unless deleted by hand; then, as always, an empty document (reading `_id` off it fails).
    conversation = await conversations.get(hub.db, existing["conversation_id"]) or as_conversation({})
    contact = await contacts.get(hub.db, existing["contact_id"]) or as_contact({})
    return IngestResult(existing, conversation, contact, created=False)
