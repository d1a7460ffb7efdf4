"""Building an inbox for the list, search, contact and bulk tests through the real ingest path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bson import ObjectId

from channels.base import EMAIL, PHONE, WEBCHAT, Identity, InboundMessage
from hub import names as model
from hub.clock import utcnow
from hub.inbound.ingest import IngestResult, ingest
from hub.runtime import Hub
from hub.store import users

_KINDS = {"webchat": WEBCHAT, "sms": PHONE, "whatsapp": PHONE, "email": EMAIL}


async def arrive(hub: Hub, text: str, who: str, *, channel: str = "webchat", name: str | None = None,
                 external_id: str | None = None) -> IngestResult:
    """A customer message through ingest, as a channel would hand it over."""
    return await ingest(hub, InboundMessage(
        channel=channel, identity=Identity(_KINDS[channel], who), text=text, received_at=utcnow(),
        external_id=external_id or f"{who}:{text}", contact_name=name, raw={"text": text}))


async def department(hub: Hub, name: str) -> ObjectId:
    return ObjectId((await users.ensure_department(hub.db, name, utcnow()))["_id"])


async def place(hub: Hub, conversation_id: ObjectId, **fields: Any) -> None:
    """Put a conversation where a test needs it (department, assignee, labels, times) in one step."""
    await hub.db[model.CONVERSATIONS].update_one({"_id": conversation_id}, {"$set": fields})


def minutes_ago(n: int) -> Any:
    return utcnow() - timedelta(minutes=n)
