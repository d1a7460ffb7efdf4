"""A customer's satisfaction rating, however it came back (stars in the widget, a Telegram button, "4" by
SMS, a signed link in an email): stored once per conversation, a line on its timeline, and a low score
(1 or 2) tells the department's lead. Every channel's answer goes through `record_rating`."""

from __future__ import annotations

from dataclasses import dataclass

from bson import ObjectId

from hub.clock import utcnow
from hub.errors import BadInput, NotFound
from hub.live import notify
from hub.runtime import Hub
from hub.store import conversations, csat, departments, messages
from hub.store.db import Doc

LOW_SCORE = 2  # this and below notify the department's lead
COMMENT_LIMIT = 2000  # characters kept of a comment


@dataclass(frozen=True)
class Rating:
    response: Doc
    new: bool  # False: the conversation was rated already; the first score stands


def check_score(value: object) -> int:
    """A score as a person typed or clicked it; BadInput with the sentence to show otherwise."""
    if isinstance(value, bool):
        raise BadInput("a rating is a whole number from 1 to 5")
    try:
        score = int(str(value).strip())
    except ValueError:
        raise BadInput("a rating is a whole number from 1 to 5") from None
    if score not in csat.SCORES:
        raise BadInput("a rating is a whole number from 1 to 5")
    return score


async def record_rating(hub: Hub, conversation_id: ObjectId, score: object, comment: str | None,
                        channel: str | None) -> Rating:
    """Store the rating of one conversation; the first answer counts, a repeat only adds a missing comment."""
    value = check_score(score)
    conversation = await conversations.get(hub.db, conversation_id)
    if conversation is None:
        raise NotFound("conversation not found")
    now = utcnow()
    recorded = await csat.record(hub.db, conversation, value, (comment or "")[:COMMENT_LIMIT], channel, now)
    if not recorded.new:
        return Rating(recorded.response, False)
    kept = recorded.response.get("comment")
    text = f"The customer rated this conversation {value} of 5." + (f" “{kept}”" if kept else "")
    await messages.insert_event(hub.db, conversation, text,
                                {"type": "rating", "score": value, "comment": kept, "channel": channel}, now,
                                author={"type": "contact", "id": conversation.get("contact_id")})
    department_id = conversation.get("department_id")
    if value <= LOW_SCORE and department_id is not None:
        department = await departments.get(hub.db, department_id)
        lead = department.get("lead_id") if department else None
        await notify.notify(hub.db, [lead], "csat_alert", f"Low satisfaction rating: {value} of 5.", now,
                            conversation=conversation, data={"score": value})
    return Rating(recorded.response, True)
