"""An agent's email signature: checked once, kept on their user, copied into each email reply as it is queued."""

from __future__ import annotations

from bson import ObjectId

from hub.clock import utcnow
from hub.errors import NotFound
from hub.outbound.email_reply import check_signature
from hub.runtime import Hub
from hub.store import users


async def save(hub: Hub, user_id: ObjectId, text: str) -> str:
    """The signature as stored ("" when removed); BadInput when it is too long or not plain text."""
    signature = check_signature(text)
    if not await users.set_signature(hub.db, user_id, signature, utcnow()):
        raise NotFound("user not found")
    return signature
