"""Unread, per agent: marking what an agent has seen, and which rows and how many of a view they have not.

Seen means: the agent opened the conversation's page, or had it open when a message arrived (the page
says so, POST /api/v1/conversations/{id}/read), or an API client said so with that endpoint. A new
customer message makes the conversation unread again for everyone whose mark is older; a reply or a
note never does (hub/store/read_marks.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId

from channels.base import WEBCHAT
from hub.clock import utcnow
from hub.errors import BadInput
from hub.runtime import Hub
from hub.store import chat_receipts, conversations, messages, read_marks
from hub.store.db import Doc


def _newest(*moments: object) -> datetime | None:
    found = [m for m in moments if isinstance(m, datetime)]
    return max(found) if found else None


async def opened(hub: Hub, user: Doc, conversation: Mapping[str, Any], timeline: Sequence[Mapping[str, Any]]) -> None:
    """The agent's page showed this conversation up to its newest timeline entry."""
    newest = timeline[-1] if timeline else None
    seen_at = _newest(conversation.get("last_inbound_at"), newest.get("created_at") if newest else None,
                      conversation.get("created_at"))
    if seen_at is not None:
        await read_marks.mark_seen(hub.db, user["_id"], conversation["_id"], seen_at,
                                   newest["_id"] if newest else None, utcnow())
        await _tell_visitor(hub, conversation, seen_at)


async def mark_read(hub: Hub, user: Doc, conversation: Mapping[str, Any], message_id: ObjectId | None) -> bool:
    """Seen up to `message_id` (a message of this conversation), or up to now when None.

    Returns whether the conversation is still unread for the user afterwards (a customer message
    newer than `message_id` keeps it so).
    """
    seen_at: object = None
    if message_id is not None:
        message = await messages.get(hub.db, message_id)
        if message is None or message.get("conversation_id") != conversation["_id"]:
            raise BadInput("'message_id' must be the id of a message in this conversation", field="message_id")
        seen_at = message.get("created_at")
    current = await conversations.get(hub.db, conversation["_id"]) or conversation
    if message_id is None:
        seen_at = _newest(current.get("last_inbound_at"), current.get("created_at"))
    if isinstance(seen_at, datetime):
        await read_marks.mark_seen(hub.db, user["_id"], current["_id"], seen_at, message_id, utcnow())
        await _tell_visitor(hub, current, seen_at)
    return bool(await read_marks.unread_ids(hub.db, user["_id"], [current]))


async def _tell_visitor(hub: Hub, conversation: Mapping[str, Any], seen_at: datetime) -> None:
    """A website visitor sees ✓✓ on what an agent has now seen (hub/store/chat_receipts.py)."""
    if WEBCHAT in (conversation.get("channels") or ()):
        await chat_receipts.agent_saw(hub.db, conversation["_id"], seen_at, utcnow())


async def unread_among(hub: Hub, user: Doc, rows: Sequence[Mapping[str, Any]]) -> set[ObjectId]:
    """Which of a page's rows the user has not seen: one read of their marks for all of them."""
    return await read_marks.unread_ids(hub.db, user["_id"], rows)
