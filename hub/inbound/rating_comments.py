"""A comment the customer adds after their score (the email survey page's second step): kept on the
rating, and a line on the conversation's timeline (event type "rating_comment")."""

from __future__ import annotations

from bson import ObjectId

from hub.clock import utcnow
from hub.errors import BadInput, NotFound
from hub.inbound.ratings import COMMENT_LIMIT
from hub.runtime import Hub
from hub.store import conversations, csat, messages
from hub.store.db import Doc


async def add_comment(hub: Hub, conversation_id: ObjectId, comment: str, channel: str | None) -> Doc:
    """Keep the comment on the conversation's rating (a later one replaces it); BadInput when empty."""
    text = comment.strip()[:COMMENT_LIMIT]
    if not text:
        raise BadInput("write a comment first", field="comment")
    conversation = await conversations.get(hub.db, conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    now = utcnow()
    updated = await csat.add_comment(hub.db, conversation_id, text, now)
    if updated is None:
        raise BadInput("choose a score before writing a comment", field="score")
    await messages.insert_event(hub.db, conversation, f"The customer commented on their rating: “{text}”",
                                {"type": "rating_comment", "score": updated.get("score"), "comment": text,
                                 "channel": channel}, now,
                                author={"type": "contact", "id": conversation.get("contact_id")})
    return updated
