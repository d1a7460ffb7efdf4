"""A customer's answer to a satisfaction survey, however it came (a typed "5", a Telegram button):
recorded with `record_rating` on the resolved conversation it answers, which stays resolved.

Anything that is not a rating, or a rating with no survey waiting for it on that channel, is a normal
message and goes the usual way (it may reopen the conversation).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from channels.base import InboundMessage
from hub.inbound.rating_text import parse_rating
from hub.inbound.ratings import record_rating
from hub.runtime import Hub
from hub.store import csat
from hub.store.documents import Conversation, as_conversation

ANSWER_WINDOW = timedelta(days=7)  # a "5" a week after the survey is about something else


async def conversation_answered(hub: Hub, inbound: InboundMessage, contact: Mapping[str, Any], now: datetime
                                ) -> tuple[Conversation, bool] | None:
    """(the resolved conversation, needs routing: False) when this message rates it, the rating recorded."""
    choice = inbound.extras.get("choice")
    score = parse_rating(str(choice) if choice is not None else inbound.text)
    if score is None or inbound.attachments:
        return None
    if await hub.batches.find_active.submit(contact["_id"]) is not None:
        return None  # an open conversation: the "5" answers whatever is being talked about there
    waiting = await csat.awaiting_answer(hub.db, contact["_id"], inbound.channel, now, ANSWER_WINDOW)
    if waiting is None:
        return None
    await record_rating(hub, waiting["_id"], score, None, inbound.channel)
    return as_conversation(waiting), False
