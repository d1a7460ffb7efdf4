"""Customer satisfaction answers: one rating per conversation, whatever channel it came back on.

`csat_responses` holds `{conversation_id (unique), contact_id, department_id, agent_id, channel, score 1..5,
comment, created_at, updated_at}`. The unique conversation index is what makes "asked once, counted once"
hold when two answers race (a double click, a customer answering on two channels): the first score stands,
a later comment is added to it. The reports (hub/store/reports*.py) read this collection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store.db import Db, Doc

SCORES = range(1, 6)


@dataclass(frozen=True)
class Recorded:
    response: Doc
    new: bool  # False when the conversation had been rated already (the first score stands)


async def record(db: Db, conversation: Mapping[str, Any], score: int, comment: str | None, channel: str | None,
                 now: datetime) -> Recorded:
    """Store a conversation's rating once; a repeat keeps the first score and adds a comment it lacked."""
    if score not in SCORES:
        raise ValueError(f"a rating is a whole number from 1 to 5, not {score!r}")
    comment = (comment or "").strip() or None
    doc: Doc = {"conversation_id": conversation["_id"], "contact_id": conversation.get("contact_id"),
                "department_id": conversation.get("department_id"), "agent_id": conversation.get("assignee_id"),
                "channel": channel, "score": score, "comment": comment, "created_at": now, "updated_at": now}
    try:
        result = await db[model.CSAT_RESPONSES].insert_one(doc)
    except DuplicateKeyError:
        existing = await for_conversation(db, conversation["_id"])
        assert existing is not None
        if comment and not existing.get("comment"):
            await db[model.CSAT_RESPONSES].update_one({"_id": existing["_id"], "comment": None},
                                                      {"$set": {"comment": comment, "updated_at": now}})
            existing = {**existing, "comment": comment, "updated_at": now}
        return Recorded(existing, False)
    doc["_id"] = result.inserted_id
    return Recorded(doc, True)


async def add_comment(db: Db, conversation_id: ObjectId, comment: str, now: datetime) -> Doc | None:
    """A comment sent after the score (the email page's second step): replaces an earlier comment."""
    comment = comment.strip()
    if not comment:
        return await for_conversation(db, conversation_id)
    found: Doc | None = await db[model.CSAT_RESPONSES].find_one_and_update(
        {"conversation_id": conversation_id}, {"$set": {"comment": comment, "updated_at": now}},
        return_document=True)
    return found


async def for_conversation(db: Db, conversation_id: ObjectId) -> Doc | None:
    found: Doc | None = await db[model.CSAT_RESPONSES].find_one({"conversation_id": conversation_id})
    return found


# --- the survey asked: which conversation a customer's "5" answers ---------------------------------------


async def mark_asked(db: Db, conversation_id: ObjectId, message_id: ObjectId, channel: str, due_at: datetime) -> None:
    """The conversation's one survey (`csat_survey`), kept on it so an answer finds what it answers."""
    await db[model.CONVERSATIONS].update_one(
        {"_id": conversation_id, "csat_survey": {"$exists": False}},
        {"$set": {"csat_survey": {"message_id": message_id, "channel": channel, "due_at": due_at}}})


async def awaiting_answer(db: Db, contact_id: ObjectId, channel: str, now: datetime, within: timedelta
                          ) -> Doc | None:
    """The contact's resolved conversation whose survey went out on `channel` (due by now, within the
    answer window) and has no rating yet; the newest such one."""
    found = await db[model.CONVERSATIONS].find(
        {"contact_id": contact_id, "status": "resolved", "csat_survey.channel": channel,
         "csat_survey.due_at": {"$lte": now, "$gte": now - within}},
    ).sort("csat_survey.due_at", DESCENDING).limit(5).to_list(5)
    for conversation in found:
        if await for_conversation(db, conversation["_id"]) is None:
            return dict(conversation)
    return None


async def last_inbound_was_automatic(db: Db, conversation_id: ObjectId) -> bool:
    """The customer's last message was an auto-reply or a delivery report (email marks them auto_submitted)."""
    last = await db[model.MESSAGES].find_one({"conversation_id": conversation_id, "direction": model.IN},
                                             sort=[("created_at", DESCENDING)])
    return bool(last and (last.get("extras") or {}).get("auto_submitted"))


async def bounced_before(db: Db, contact_id: ObjectId, channel: str, address: str) -> bool:
    """Mail to this address came back as a bounce (hub/ports/mail_host.record_bounce marks it)."""
    bounced = await db[model.MESSAGES].find_one({"contact_id": contact_id, "direction": model.OUT, "channel": channel,
                                                 "to.value": address, "status": "failed",
                                                 "error": {"$regex": "^Bounced"}}, {"_id": 1})
    return bounced is not None


async def withhold_survey(db: Db, message_id: ObjectId, owner: str, reason: str, now: datetime) -> bool:
    """The leased survey is not sent (its conversation was reopened before it was due): settled as
    withheld, so a later resolve can queue it again (`requeue_survey`)."""
    done = await db[model.MESSAGES].update_one(
        {"_id": message_id, "lease_owner": owner, "status": "queued"},
        {"$set": {"status": "failed", "status_rank": model.STATUS_RANK["failed"], "error": reason,
                  "withheld": True, "failed_at": now, "updated_at": now, "lease_until": None,
                  "attempt_started_at": None}})
    return done.modified_count == 1


async def requeue_survey(db: Db, conversation_id: ObjectId, message_id: ObjectId, due: datetime, now: datetime
                         ) -> bool:
    """A withheld survey queued again for a new resolve, due `due`; False when it was sent or answered."""
    done = await db[model.MESSAGES].update_one(
        {"_id": message_id, "status": "failed", "withheld": True},
        {"$set": {"status": "queued", "status_rank": 0, "attempts": 0, "next_attempt_at": due, "error": None,
                  "withheld": False, "lease_until": None, "attempt_started_at": None, "updated_at": now}})
    if done.modified_count != 1:
        return False
    await db[model.CONVERSATIONS].update_one({"_id": conversation_id}, {"$set": {"csat_survey.due_at": due}})
    return True


async def mark_prompt_answered(db: Db, message_id: ObjectId, score: int) -> None:
    """The website chat's prompt remembers its answer, so a reload shows thanks instead of the stars."""
    await db[model.MESSAGES].update_one({"_id": message_id}, {"$set": {"extras.rated": score}})
