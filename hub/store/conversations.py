"""Conversations: a case of work for one contact, owned by a department and maybe an agent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from hub import names as model
from hub.store import conversation_meta, reports
from hub.store.db import Db, Doc, update_then_get
from hub.store.documents import Contact, Conversation, as_conversation, conversations_in

if TYPE_CHECKING:
    from hub.store.batched import IngestBatches


async def touch_active(
    db: Db, contact: Contact, channel: str, at: datetime, preview: str, inbound: bool
) -> tuple[Conversation, bool]:
    """The contact's active conversation, opened if none, updated for a new message.

    Returns (conversation, needs_routing). A unique partial index on active conversations makes two
    concurrent first messages land in one conversation.
    """
    on_insert: Doc = {
        "contact_id": contact["_id"],
        "active": True,
        "priority": "normal",
        "labels": [],
        "department_id": None,
        "assignee_id": None,
        "created_at": at,
        "opened_at": at,
    }
    update = conversation_touch(contact, channel, at, preview, inbound)
    if "status" not in update["$set"]:
        on_insert["status"] = "open"
    if "contact_name" not in update["$set"]:
        on_insert["contact_name"] = _identity_label(contact)
    for _ in range(5):
        doc = await update_then_get(conversations_in(db), {"contact_id": contact["_id"], "active": True}, update)
        if doc is not None:
            return doc, not doc.get("routed")
        fresh = {**on_insert, **{k: v for k, v in update["$set"].items() if "." not in k},
                 "last_message_at": at, "channels": [channel]}
        if inbound:
            fresh.update(waiting_since=at, last_inbound_at_by_channel={channel: at})
        try:
            result = await db[model.CONVERSATIONS].insert_one(fresh)
        except DuplicateKeyError:
            continue  # a concurrent first message opened it; the next try updates that one
        fresh["_id"] = result.inserted_id
        await reports.record(db, fresh, "created", at, None)
        return as_conversation(fresh), True
    raise RuntimeError("could not open a conversation")


def conversation_touch(contact: Mapping[str, Any], channel: str, at: datetime, preview: str, inbound: bool) -> Doc:
    """The update a new message makes to its active conversation (shared by the batched and single paths)."""
    update: dict[str, Any] = {
        "$set": {"last_channel": channel, "last_message_preview": preview, "updated_at": at},
        "$max": {"last_message_at": at},
        "$addToSet": {"channels": channel},
    }
    if contact.get("name"):
        update["$set"]["contact_name"] = contact["name"]
    if inbound:
        # A customer writing again makes a pending or snoozed conversation open (as Chatwoot does).
        update["$set"].update({"status": "open", "last_inbound_at": at,
                               f"last_inbound_at_by_channel.{channel}": at})
        update["$min"] = {"waiting_since": at}
    return update


def _identity_label(contact: Contact) -> str:
    identities = contact.get("identities") or []
    if not identities:
        return "Unknown"
    first = identities[0]
    # A website visitor's id is a random token: a short form is enough to tell visitors apart.
    return f"Visitor {str(first['value'])[:6]}" if first["kind"] == "webchat" else str(first["value"])


async def get(db: Db, conversation_id: ObjectId) -> Conversation | None:
    return await conversations_in(db).find_one({"_id": conversation_id})


async def set_status(db: Db, conversation_id: ObjectId, status: str, now: datetime) -> Conversation | None:
    if status not in model.CONVERSATION_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status == "resolved":
        update: dict[str, Any] = {"$set": {"status": status, "resolved_at": now, "updated_at": now},
                                  "$unset": {"active": "", "waiting_since": ""}}
    else:
        update = {"$set": {"status": status, "updated_at": now}}
    try:
        doc = await update_then_get(conversations_in(db), {"_id": conversation_id}, update)
        return None if doc is None else await conversation_meta.snooze_ended(db, doc, now)
    except DuplicateKeyError:
        # Reopening while the contact already has a newer active conversation.
        raise ValueError("this customer already has an open conversation; reply there") from None


async def agent_replied(db: Db, conversation_id: ObjectId, at: datetime, preview: str,
                        agent_id: ObjectId | None = None, channel: str | None = None) -> None:
    """A human reply on the customer's channel: the customer stops waiting, and the reports time the answer."""
    before = await db[model.CONVERSATIONS].find_one({"_id": conversation_id}, _REPLY_FIELDS)
    await db[model.CONVERSATIONS].update_one(
        {"_id": conversation_id},
        {"$set": {"last_message_preview": preview, "updated_at": at},
         "$max": {"last_message_at": at},
         "$unset": {"waiting_since": ""},
         "$min": {"first_response_at": at}},
    )
    if before is not None:
        await reports.replied(db, before, at, agent_id, channel)


_REPLY_FIELDS: Final = {f: 1 for f in ("first_response_at", "waiting_since", "last_inbound_at", "created_at",
                                       "department_id", "assignee_id", "last_channel", "labels", "priority",
                                       "snoozes")}


async def customer_wrote(batches: IngestBatches, conversation: Conversation, channel: str, at: datetime, *,
                         counted: bool) -> None:
    """After a customer's message is stored: a snooze it ended is kept (SLA), and the reports count it
    (with the other messages of the burst: one insert and one rollup write per batch)."""
    if counted:
        conversation = await conversation_meta.snooze_ended(batches.db, conversation, at)
        await batches.report_event.submit(reports.message_in(conversation, channel, at))


def visibility_filter(user: Mapping[str, Any]) -> Doc:
    """What a user may see: leads and admins everything; agents their departments and their own."""
    if user.get("role") in ("admin", "lead"):
        return {}
    return {"$or": [{"department_id": {"$in": list(user.get("department_ids", []))}},
                    {"assignee_id": user["_id"]}]}


def can_see(user: Mapping[str, Any], conversation: Mapping[str, Any]) -> bool:
    if user.get("role") in ("admin", "lead"):
        return True
    return conversation.get("department_id") in set(user.get("department_ids", [])) or (
        conversation.get("assignee_id") == user["_id"]
    )


async def for_contact(db: Db, contact_id: ObjectId) -> list[Conversation]:
    return await conversations_in(db).find({"contact_id": contact_id}).sort("created_at", DESCENDING).to_list(100)


async def touch_thread(
    db: Db, conversation_id: ObjectId, contact: Contact, channel: str, at: datetime, preview: str, *,
    may_reopen: bool = True,
) -> tuple[Conversation, bool] | None:
    """Add an inbound message to a named conversation of this contact, reopening it when resolved.

    Returns (conversation, reopened), or None when it is not this contact's, or when reopening would
    give the contact a second active conversation (the unique index refuses): the caller then uses
    the active one.
    """
    # The same update as any new customer message, except that a thread reply leaves the status to
    # the branch below (a resolved thread that may not reopen stays resolved).
    update = conversation_touch(contact, channel, at, preview, inbound=True)
    update["$set"].pop("status")
    without_wait = {k: v for k, v in update.items() if k != "$min"}
    owned: Doc = {"_id": conversation_id, "contact_id": contact["_id"]}
    doc = await update_then_get(conversations_in(db), {**owned, "active": True}, update)
    if doc is not None:
        return doc, False
    if not may_reopen:
        doc = await update_then_get(conversations_in(db), owned, without_wait)
        return (doc, False) if doc is not None else None
    was = await db[model.CONVERSATIONS].find_one({**owned, "active": {"$ne": True}}, {"resolved_at": 1})
    try:
        doc = await update_then_get(
            conversations_in(db), {**owned, "active": {"$ne": True}},
            # routed=False: a reopened conversation goes through routing again (kind "reopened", so the
            # previous agent gets it back when available).
            {**without_wait,
             "$set": {**update["$set"], "status": "open", "active": True, "reopened_at": at, "waiting_since": at,
                      "routed": False},
             "$unset": {"resolved_at": ""}},
        )
    except DuplicateKeyError:
        return None
    if doc is not None:
        await reports.reopened(db, doc, (was or {}).get("resolved_at"), at)
    return (doc, True) if doc is not None else None
