"""Raw provider payloads, kept before parsing so any message can be replayed.

A payload on its way to becoming a message also keeps the normalised `InboundMessage` (`inbound`) and
a `pending_since` marker; once its message is stored the marker goes and `processed_at` is set. A
payload still pending after a grace period was kept by a process that died before storing its
message: the recovery pass (hub/recovery.py) rebuilds the InboundMessage from `inbound` and ingests it
again, without the channel's parser. Payloads that are deliberately not messages (bounces, our own
mail coming back, edits) never hold `pending_since`, so they are never replayed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId

from channels.base import Attachment, Identity, InboundMessage
from hub import names as model
from hub.store.db import Db, Doc, fast

# A payload that failed this many replays is set aside with the reason, not retried forever.
MAX_REPLAYS = 5


async def keep(db: Db, channel: str, payload: Mapping[str, Any], now: datetime) -> ObjectId:
    """Keep a payload that will not become a message through ingest (nothing to replay)."""
    result = await db[model.RAW_INBOUND].insert_one(
        {"channel": channel, "payload": dict(payload), "received_at": now}
    )
    return ObjectId(result.inserted_id)


async def mark(db: Db, raw_id: ObjectId, outcome: str, message_id: ObjectId | None = None) -> None:
    await db[model.RAW_INBOUND].update_one(
        {"_id": raw_id}, {"$set": {"outcome": outcome, "message_id": message_id}}
    )


def pending_doc(inbound: InboundMessage, now: datetime) -> Doc:
    """The raw document ingest keeps: the payload, the normalised message, and the pending marker."""
    return {"channel": inbound.channel, "payload": dict(inbound.raw), "inbound": inbound_doc(inbound),
            "received_at": now, "pending_since": now}


def inbound_doc(inbound: InboundMessage) -> Doc:
    """Everything needed to ingest the message again, except the payload (kept beside it)."""
    return {
        "identity": inbound.identity.as_doc(), "text": inbound.text, "received_at": inbound.received_at,
        "external_id": inbound.external_id, "contact_name": inbound.contact_name,
        "attachments": [a.as_doc() for a in inbound.attachments],  # files already stored, by id
        "html": inbound.html, "subject": inbound.subject, "extras": dict(inbound.extras),
        "thread_conversation_id": inbound.thread_conversation_id, "thread_may_reopen": inbound.thread_may_reopen,
    }


def inbound_from(doc: Doc) -> InboundMessage:
    """The InboundMessage a pending raw document was kept for (KeyError/TypeError if it is malformed)."""
    saved = doc["inbound"]
    return InboundMessage(
        channel=doc["channel"], identity=_identity(saved["identity"]), text=saved["text"],
        received_at=saved["received_at"], external_id=saved.get("external_id"),
        contact_name=saved.get("contact_name"),
        attachments=tuple(Attachment(**a) for a in saved.get("attachments") or ()),
        html=saved.get("html"), subject=saved.get("subject"), raw=doc.get("payload") or {},
        extras=saved.get("extras") or {}, thread_conversation_id=saved.get("thread_conversation_id"),
        thread_may_reopen=saved.get("thread_may_reopen", True),
    )


def _identity(doc: Mapping[str, Any]) -> Identity:
    return Identity(str(doc["kind"]), str(doc["value"]))


async def mark_processed(db: Db, raw_ids: list[ObjectId], now: datetime) -> None:
    """Their messages are stored. Unjournaled: if the marker is lost, a replay finds the message by its
    dedupe key and only marks again."""
    await fast(db[model.RAW_INBOUND]).update_many(
        {"_id": {"$in": raw_ids}}, {"$set": {"processed_at": now}, "$unset": {"pending_since": ""}})


async def abandoned(db: Db, older_than: datetime, limit: int = 100, *, skip: list[ObjectId] | None = None) -> list[Doc]:
    """Payloads kept for a message that was never stored, pending since before `older_than`, oldest first."""
    query: Doc = {"pending_since": {"$lt": older_than}}
    if skip:
        query["_id"] = {"$nin": skip}
    return await db[model.RAW_INBOUND].find(query).sort("pending_since", 1).limit(limit).to_list(None)


async def replay_failed(db: Db, raw_id: ObjectId, reason: str, now: datetime) -> bool:
    """Count a failed replay; after MAX_REPLAYS set the payload aside with the reason. True if set aside."""
    doc = await db[model.RAW_INBOUND].find_one_and_update(
        {"_id": raw_id}, {"$inc": {"replay_failures": 1}, "$set": {"replay_error": reason[:500]}},
        projection={"replay_failures": 1}, return_document=True)
    if doc is None or doc.get("replay_failures", 0) < MAX_REPLAYS:
        return False
    await db[model.RAW_INBOUND].update_one(
        {"_id": raw_id}, {"$unset": {"pending_since": ""},
                          "$set": {"processed_at": now, "outcome": f"could not be replayed: {reason[:400]}"}})
    return True
