"""Folding one contact into another, and putting it back.

A merged-away contact holds no `identities` field at all (its record keeps `merged_identities`). Who holds
an identity is its claim in `identities` (hub/store/identities.py): a merge re-points the source's claims
to the target right after it marks the source merged, and a lookup meeting a merged-away holder in
between follows `merged_into` (and re-points the claim itself), so no first message in the gap can make
a newcomer of the person.

Conversations keep the one-active-per-contact rule: when both contacts have an active conversation,
the source's messages move into the target's one and the source's becomes a resolved record saying
so; when only the source has one, it becomes the target's active conversation. Every change is a
timeline event, and the merge record names what moved so that `undo` can put it back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from channels.base import EMAIL, PHONE, TELEGRAM
from hub import names as model
from hub.clock import utcnow
from hub.store import contacts, conversation_activity
from hub.store import identities as identity_claims
from hub.store.db import Db, Doc

MERGES = model.CONTACT_MERGES
_SPOKEN: Doc = {"direction": {"$ne": model.EVENT}}  # what a person wrote (messages, replies, notes)
# Kinds a person usually holds one of, so two different values may be two people. A web-chat visitor id
# is one browser (one person has many), so differing ones say nothing.
PERSON_KINDS = (PHONE, EMAIL, TELEGRAM)


def label(contact: Mapping[str, Any]) -> str:
    """How an event names a contact: "Mina (telegram)"; the name alone when it has no identity."""
    identities = contact.get("identities") or contact.get("merged_identities") or []
    name = contact.get("name") or (str(identities[0].get("value")) if identities else "Unnamed contact")
    return f"{name} ({identities[0].get('kind')})" if identities and contact.get("name") else name


def short(conversation_id: ObjectId) -> str:
    return str(conversation_id)[-6:]


def identity_conflicts(source: Mapping[str, Any], target: Mapping[str, Any]) -> list[str]:
    """Kinds where both contacts hold values and none is shared (two phones may be one person, or two)."""
    return [c["kind"] for c in conflicts(source, target) if c["kind"] in PERSON_KINDS]


def conflicts(source: Mapping[str, Any], target: Mapping[str, Any]) -> list[Doc]:
    """What suggests two people rather than one: different phones, emails, names; two open cases."""
    found: list[Doc] = []
    for kind in PERSON_KINDS:
        mine = sorted({str(i["value"]) for i in source.get("identities") or [] if i.get("kind") == kind})
        theirs = sorted({str(i["value"]) for i in target.get("identities") or [] if i.get("kind") == kind})
        if mine and theirs and not set(mine) & set(theirs):
            found.append({"kind": kind, "source": mine, "target": theirs})
    names = (str(source.get("name") or "").strip(), str(target.get("name") or "").strip())
    if all(names) and names[0].casefold() != names[1].casefold():
        found.append({"kind": "name", "source": [names[0]], "target": [names[1]]})
    return found


async def _active(db: Db, contact_id: ObjectId) -> Doc | None:
    return await db[model.CONVERSATIONS].find_one({"contact_id": contact_id, "active": True})


async def plan(db: Db, source: Mapping[str, Any], target: Mapping[str, Any]) -> Doc:
    """What merging `source` into `target` would do, without doing it (the preview and the merge share it)."""
    conversations = await db[model.CONVERSATIONS].find(
        {"contact_id": source["_id"]}, {"status": 1, "active": 1, "last_message_preview": 1, "created_at": 1}
    ).to_list(None)
    source_active = next((c for c in conversations if c.get("active")), None)
    target_active = await _active(db, target["_id"])
    moving = 0
    if source_active is not None and target_active is not None:
        moving = await db[model.MESSAGES].count_documents({"conversation_id": source_active["_id"], **_SPOKEN})
    total = await db[model.MESSAGES].count_documents({"contact_id": source["_id"], **_SPOKEN})
    if source_active is None:
        active_outcome = "none"
    elif target_active is None:
        active_outcome = "becomes_target_active"
    else:
        active_outcome = "messages_move_into_target_active"
    clashes = conflicts(source, target)
    if source_active is not None and target_active is not None:
        clashes.append({"kind": "open_conversations", "source": [str(source_active["_id"])],
                        "target": [str(target_active["_id"])]})
    return {"source": source, "target": target, "identities": source.get("identities") or [],
            "conversations": conversations, "source_active": source_active, "target_active": target_active,
            "active_outcome": active_outcome, "messages_moving": moving, "messages_total": total,
            "conflicts": clashes}


async def _claim_source(db: Db, source_id: ObjectId, target_id: ObjectId, now: datetime) -> Doc | None:
    """Mark the source merged and take its identities off it, atomically (a second merge finds nothing)."""
    before = await db[model.CONTACTS].find_one_and_update(
        {"_id": source_id, "merged_into": {"$exists": False}},
        {"$set": {"merged_into": target_id, "merged_at": now, "search_text": ""},
         "$unset": {"identities": "", "match_keys": ""}},
        return_document=ReturnDocument.BEFORE,
    )
    if before is not None:
        await db[model.CONTACTS].update_one(
            {"_id": source_id}, {"$set": {"merged_identities": before.get("identities") or []}})
    return before


async def _give_identities(db: Db, source_id: ObjectId, target_id: ObjectId, identities: list[Doc]) -> None:
    """Re-point the source's claims to the target, then add them to the target's copy. A claim no one holds
    (a database from before the claims, or released) is claimed for the target."""
    if not identities:
        return
    moved = await identity_claims.move(db, identities, source_id, target_id)
    now = utcnow()
    for identity in identities:
        if identity not in moved and await identity_claims.claim(
                db, str(identity["kind"]), str(identity["value"]), target_id, now) == target_id:
            moved.append(identity)
    if moved:
        await db[model.CONTACTS].update_one({"_id": target_id}, {"$addToSet": {"identities": {"$each": moved}}})


def _event(conversation_id: ObjectId, contact_id: ObjectId, text: str, data: Doc, now: datetime,
           by: ObjectId | None) -> Doc:
    """A timeline event saying what a merge or its undo changed (written together, in one insert)."""
    author: Doc = {"type": "agent", "id": by} if by is not None else {"type": "system"}
    return {"conversation_id": conversation_id, "contact_id": contact_id, "direction": model.EVENT, "kind": "event",
            "channel": None, "text": text, "data": data, "author": author, "created_at": now}


async def _say(db: Db, events: list[Doc]) -> None:
    if events:
        await db[model.MESSAGES].insert_many(events)


async def _refresh_search(db: Db, contact_id: ObjectId) -> None:
    contact = await contacts.get(db, contact_id)
    if contact is not None and contact.get("merged_into") is None:
        await contacts.refresh_search(db, contact)


async def records_for(db: Db, contact_id: ObjectId, limit: int = 20) -> list[Doc]:
    """The merges a contact took part in, either side, newest first."""
    cursor = db[MERGES].find({"$or": [{"target_id": contact_id}, {"source_id": contact_id}]})
    return await cursor.sort("at", -1).limit(limit).to_list(limit)


async def get(db: Db, merge_id: ObjectId) -> Doc | None:
    return await db[MERGES].find_one({"_id": merge_id})


async def move_into(db: Db, source_id: ObjectId, target_id: ObjectId, now: datetime,
                    by: ObjectId | None = None) -> Doc | None:
    """Fold `source` into `target`: identities, conversations and messages follow.

    Returns the merge record (kept in `contact_merges`) naming everything that moved, so that `undo`
    can put it back; None when there was nothing to merge (unknown, the same, or already merged).
    """
    if source_id == target_id:
        return None
    source = await db[model.CONTACTS].find_one({"_id": source_id})
    target = await db[model.CONTACTS].find_one({"_id": target_id})
    if source is None or target is None or source.get("merged_into") is not None \
            or target.get("merged_into") is not None:
        return None
    message_count = await db[model.MESSAGES].count_documents({"contact_id": source_id, **_SPOKEN})
    claimed = await _claim_source(db, source_id, target_id, now)
    if claimed is None:
        return None  # merged by someone else meanwhile
    identities: list[Doc] = claimed.get("identities") or []
    await _give_identities(db, source_id, target_id, identities)
    conversations = db[model.CONVERSATIONS]
    source_label, target_label = label(source), label(target)
    target_name = target.get("name")
    owned = await conversations.find({"contact_id": source_id}, {"contact_name": 1, "active": 1}).to_list(None)
    conversation_ids = [c["_id"] for c in owned]
    record: Doc = {
        "source_id": source_id, "target_id": target_id, "by": by, "at": now, "identities": identities,
        "conversation_ids": conversation_ids, "contact_names": {str(c["_id"]): c.get("contact_name") for c in owned},
        "source_name": source.get("name"), "source_label": source_label, "target_label": target_label,
        "undone_at": None, "folded_merge_ids": [],
    }
    source_active = next((c for c in owned if c.get("active")), None)
    target_active = await _active(db, target_id)
    if source_active is not None and target_active is None:
        try:  # the source's open conversation becomes the target's
            await conversations.update_one({"_id": source_active["_id"]}, {"$set": {"contact_id": target_id}})
        except DuplicateKeyError:  # the target's first message opened one meanwhile: move into that
            target_active = await _active(db, target_id)
    moved_ids: list[ObjectId] = []
    moved_count = 0
    if source_active is not None and target_active is not None:
        stub = await conversations.find_one({"_id": source_active["_id"]}) or source_active
        entries = await db[model.MESSAGES].find({"conversation_id": stub["_id"]}, {"direction": 1}).to_list(None)
        moved_ids = [m["_id"] for m in entries]  # timeline events move too: the history stays whole
        moved_count = sum(1 for m in entries if m.get("direction") != model.EVENT)
        record.update(into_conversation_id=target_active["_id"], from_conversation_id=stub["_id"],
                      moved_message_ids=moved_ids, moved_message_count=moved_count,
                      stub={k: stub.get(k) for k in ("status", "last_message_preview")},
                      target_first_response_at=target_active.get("first_response_at"))
        await db[model.MESSAGES].update_many({"_id": {"$in": moved_ids}, "conversation_id": stub["_id"]},
                                             {"$set": {"conversation_id": target_active["_id"]}})
        await conversations.update_one(
            {"_id": stub["_id"]},
            {"$set": {"status": "resolved", "resolved_at": now, "updated_at": now,
                      "merged_into_conversation": target_active["_id"],
                      "last_message_preview": f"Merged into conversation …{short(target_active['_id'])}"},
             "$unset": {"active": "", "waiting_since": ""}})
        update = await conversation_activity.derive(db, target_active)
        if stub.get("first_response_at") is not None:
            update["$min"] = {"first_response_at": stub["first_response_at"]}
        update["$set"]["updated_at"] = now
        await conversations.update_one({"_id": target_active["_id"]}, update)
    await conversations.update_many({"_id": {"$in": conversation_ids}}, {"$set": {
        "contact_id": target_id, **({"contact_name": target_name} if target_name else {})}})
    if moved_ids and target_active is not None and source_active is not None:
        # A message that reached the source's conversation while it moved (ingest had found it just before).
        late = [m["_id"] for m in await db[model.MESSAGES].find(
            {"conversation_id": source_active["_id"], "direction": {"$ne": model.EVENT}}, {"_id": 1}).to_list(None)]
        if late:
            await db[model.MESSAGES].update_many({"_id": {"$in": late}},
                                                 {"$set": {"conversation_id": target_active["_id"]}})
            moved_ids += late
            record["moved_message_count"] = moved_count = moved_count + len(late)
    await db[model.MESSAGES].update_many({"contact_id": source_id}, {"$set": {"contact_id": target_id}})
    data: Doc = {"type": "contact_merged", "source_id": source_id, "target_id": target_id}
    said: list[Doc] = []
    if moved_ids:
        assert source_active is not None and target_active is not None
        said.append(_event(target_active["_id"], target_id,
                     f"Merged {source_label} into {target_label}: {moved_count} messages moved from "
                     f"conversation …{short(source_active['_id'])}.",
                     {**data, "from_conversation_id": source_active["_id"], "messages": moved_count}, now, by))
        said.append(_event(source_active["_id"], target_id,
                     f"Merged {source_label} into {target_label}: this conversation's {moved_count} messages "
                     f"moved to conversation …{short(target_active['_id'])}, which stays open.",
                     {**data, "into_conversation_id": target_active["_id"], "messages": moved_count}, now, by))
    for conversation_id in conversation_ids:
        if moved_ids and source_active is not None and conversation_id == source_active["_id"]:
            continue
        said.append(_event(conversation_id, target_id, f"Merged {source_label} into {target_label}: this "
                           f"conversation now belongs to {target_label}.", data, now, by))
    await _say(db, said)
    await _refresh_search(db, target_id)
    record["message_count"] = message_count
    result = await db[MERGES].insert_one(record)
    record["_id"] = result.inserted_id
    return record


async def _drop_empty_identities(db: Db, contact_id: ObjectId) -> None:
    await db[model.CONTACTS].update_one({"_id": contact_id, "identities": {"$size": 0}},
                                        {"$unset": {"identities": ""}})


async def undo(db: Db, merge_id: ObjectId, now: datetime, by: ObjectId | None = None) -> Doc:
    """Put a merge back: the source's identities, conversations and messages return to it.

    Raises ValueError with a readable reason when the merge is unknown, already undone, or when a later
    merge depends on it (undo that one first). The result's `notes` say what could not be put back.
    """
    record = await db[MERGES].find_one({"_id": merge_id})
    if record is None:
        raise ValueError("no such merge")
    if record.get("undone_at") is not None:
        raise ValueError("this merge was already undone")
    target = await db[model.CONTACTS].find_one({"_id": record["target_id"]})
    if target is None or target.get("merged_into") is not None:
        raise ValueError("the contact it was merged into has been merged again since; undo that merge first")
    conversation_ids: list[ObjectId] = record.get("conversation_ids") or []
    later = await db[MERGES].find_one({"target_id": record["target_id"], "undone_at": None, "at": {"$gt": record["at"]},
                                       "into_conversation_id": {"$in": conversation_ids}})
    if later is not None:
        raise ValueError(f"{later.get('source_label') or 'another contact'} was merged into one of these "
                         "conversations later; undo that merge first")
    claimed = await db[MERGES].update_one({"_id": merge_id, "undone_at": None},
                                          {"$set": {"undone_at": now, "undone_by": by}})
    if claimed.modified_count != 1:
        raise ValueError("this merge was already undone")
    source_id, target_id = record["source_id"], record["target_id"]
    notes: list[str] = []
    identities: list[Doc] = record.get("identities") or []
    # The source is live again first, then its claims come back to it: a lookup in between still finds
    # the target, which holds them until they have moved.
    await db[model.CONTACTS].update_one({"_id": source_id},
                                        {"$unset": {"merged_into": "", "merged_at": "", "merged_identities": ""}})
    back = await identity_claims.move(db, identities, target_id, source_id)
    if back:
        await db[model.CONTACTS].update_one({"_id": target_id}, {"$pull": {"identities": {"$in": back}}})
        await _drop_empty_identities(db, target_id)
        await db[model.CONTACTS].update_one({"_id": source_id}, {"$set": {"identities": back}})
    if len(back) < len(identities):
        notes.append("an identity of this contact is held by another contact now; it stays there")
    conversations = db[model.CONVERSATIONS]
    names: Doc = record.get("contact_names") or {}
    by_name: dict[str, list[ObjectId]] = {}
    for conversation_id in conversation_ids:
        name = names.get(str(conversation_id)) or record.get("source_name") or ""
        by_name.setdefault(name, []).append(conversation_id)
    for name, ids in by_name.items():
        await conversations.update_many({"_id": {"$in": ids}}, {"$set": {
            "contact_id": source_id, **({"contact_name": name} if name else {})}})
    into = record.get("into_conversation_id")
    moved: list[ObjectId] = record.get("moved_message_ids") or []
    stub_id: ObjectId | None = None
    if into is not None and moved:
        stub_id = record.get("from_conversation_id")
        if stub_id is not None:
            await db[model.MESSAGES].update_many({"_id": {"$in": moved}, "conversation_id": into},
                                                 {"$set": {"conversation_id": stub_id}})
            before: Doc = record.get("stub") or {}
            reopen: Doc = {"$set": {"status": before.get("status") or "open", "active": True, "updated_at": now,
                                    "last_message_preview": before.get("last_message_preview") or ""},
                           "$unset": {"merged_into_conversation": "", "resolved_at": ""}}
            try:
                await conversations.update_one({"_id": stub_id}, reopen)
            except DuplicateKeyError:
                await conversations.update_one({"_id": stub_id}, {"$unset": {"merged_into_conversation": ""}})
                notes.append(f"conversation …{short(stub_id)} stays resolved: {record.get('source_label')} "
                             "has another open conversation")
            stub_now = await conversations.find_one({"_id": stub_id}) or {"_id": stub_id}
            await conversations.update_one({"_id": stub_id}, await conversation_activity.derive(db, stub_now))
        target_conv = await conversations.find_one({"_id": into})
        if target_conv is not None:
            update = await conversation_activity.derive(db, target_conv)
            first = record.get("target_first_response_at")
            if first is not None:
                update["$set"]["first_response_at"] = first
            else:
                reply = await db[model.MESSAGES].find_one(
                    {"conversation_id": into, "direction": model.OUT, "created_at": {"$gte": record["at"]}},
                    sort=[("created_at", ASCENDING)])
                if reply is not None:
                    update["$set"]["first_response_at"] = reply["created_at"]
                else:
                    update.setdefault("$unset", {})["first_response_at"] = ""
            update["$set"]["updated_at"] = now
            await conversations.update_one({"_id": into}, update)
            replies = await db[model.MESSAGES].count_documents(
                {"conversation_id": into, "direction": model.OUT, "created_at": {"$gte": record["at"]}})
            if replies:
                notes.append(f"{replies} replies written in conversation …{short(into)} after the merge stay there")
    for closed in record.get("closed_conversation_ids") or []:  # records written by earlier versions
        try:
            await conversations.update_one(
                {"_id": closed["id"], "status": "resolved"},
                {"$set": {"status": closed.get("status") or "open", "active": True}, "$unset": {"resolved_at": ""}})
        except DuplicateKeyError:
            notes.append(f"conversation …{short(closed['id'])} stays resolved: the contact has a newer open one")
    arrived = await db[model.MESSAGES].count_documents(
        {"conversation_id": {"$in": conversation_ids}, "direction": {"$in": [model.IN, model.OUT]},
         "created_at": {"$gte": record["at"]}})
    if arrived:
        notes.append(f"{arrived} messages that arrived after the merge in its conversations go back with them")
    await db[model.MESSAGES].update_many({"conversation_id": {"$in": conversation_ids}},
                                         {"$set": {"contact_id": source_id}})
    data: Doc = {"type": "contact_merge_undone", "merge_id": merge_id, "source_id": source_id,
                 "target_id": target_id}
    text = f"Merge of {record.get('source_label')} into {record.get('target_label')} undone"
    said = [_event(conversation_id, source_id, f"{text}: this conversation belongs to "
                   f"{record.get('source_label')} again.", data, now, by) for conversation_id in conversation_ids]
    if into is not None and moved and stub_id is not None:
        count = record.get("moved_message_count", len(moved))
        said.append(_event(into, target_id, f"{text}: {count} messages moved back to conversation …{short(stub_id)}.",
                           data, now, by))
    await _say(db, said)
    for contact_id in (source_id, target_id):
        await _refresh_search(db, contact_id)
    await db[MERGES].update_one({"_id": merge_id}, {"$set": {"undo_notes": notes}})
    return {**record, "undone_at": now, "undo_notes": notes}


def summary(record: Doc) -> dict[str, Any]:
    """A merge record as the API and the profile page show it."""
    return {"id": record["_id"], "source_id": record["source_id"], "target_id": record["target_id"],
            "at": record.get("at"), "by": record.get("by"), "source_name": record.get("source_name"),
            "identities": record.get("identities") or [],
            "conversations": len(record.get("conversation_ids") or []),
            "messages": record.get("message_count", len(record.get("message_ids") or [])),
            "messages_moved": record.get("moved_message_count", 0),
            "into_conversation_id": record.get("into_conversation_id"),
            "undone_at": record.get("undone_at"), "undo_notes": record.get("undo_notes") or []}
