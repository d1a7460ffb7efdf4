"""The website chat's rating prompt: after a resolve (when the department asks, after its delay) the survey
is an outbox row on the webchat channel (hub/outbound/surveys.py); the visitor's socket pushes it and the
widget shows stars and a comment box in place of its text. The answer comes back as a `rating` frame and
is recorded like every channel's (hub/inbound/ratings.record_rating: once per conversation, a timeline
line, the lead told of a 1 or 2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.base import Identity
from hub.errors import HubError
from hub.inbound.ratings import record_rating
from hub.runtime import Hub
from hub.store import contacts, csat, messages
from hub.store.db import oid

SURVEY = "csat"


def survey_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What a history item adds when the message is a rating prompt: the widget draws stars for it."""
    extras = doc.get("extras") or {}
    if doc.get("direction") != "out" or extras.get("survey") != SURVEY:
        return {}
    return {"survey": SURVEY, "rated": extras.get("rated")}


async def rate(hub: Hub, visitor: Identity, frame: Mapping[str, Any]) -> dict[str, Any]:
    """A visitor's stars (and comment) for the prompt `survey_id` their own contact was sent."""
    survey_id = oid(frame.get("survey_id"))
    prompt = await messages.get(hub.db, survey_id) if survey_id is not None else None
    contact = await contacts.find_by_identity(hub.db, visitor)
    if (prompt is None or contact is None or prompt.get("contact_id") != contact["_id"]
            or (prompt.get("extras") or {}).get("survey") != SURVEY):
        raise HubError("that rating prompt is not one this chat was sent")
    comment = frame.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise HubError("'comment' must be text")
    rating = await record_rating(hub, prompt["conversation_id"], frame.get("score"), comment, "webchat")
    score = int(rating.response["score"])
    await csat.mark_prompt_answered(hub.db, prompt["_id"], score)
    return {"type": "rated", "survey_id": str(prompt["_id"]), "score": score, "first": rating.new}
