"""A conversation's last-message fields, derived again from the messages it holds (after a merge or its
undo moved messages in or out), as the touches of each message would have left them."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING

from hub import model
from hub.store.db import Db, Doc


async def derive(db: Db, conversation: Doc) -> Doc:
    """The last-message fields of a conversation, derived from the messages it holds now (after messages
    moved in or out): what the touches of each message would have left."""
    conversation_id: ObjectId = conversation["_id"]
    resolved = conversation.get("status") == "resolved"
    messages = db[model.MESSAGES]
    spoken = {"conversation_id": conversation_id, "direction": {"$in": [model.IN, model.OUT]}}
    newest = await messages.find_one(spoken, sort=[("created_at", DESCENDING), ("_id", DESCENDING)])
    fields: Doc = {}
    unset: Doc = {}
    if newest is not None:
        fields.update(last_message_at=newest["created_at"], last_channel=newest.get("channel"),
                      last_message_preview=model.preview(str(newest.get("text") or "")))
    inbound = {"conversation_id": conversation_id, "direction": model.IN}
    channels = [c for c in await messages.distinct("channel", {"conversation_id": conversation_id}) if c]
    fields["channels"] = sorted(channels)
    by_channel: Doc = {}
    for channel in channels:
        last = await messages.find_one({**inbound, "channel": channel}, sort=[("created_at", DESCENDING)])
        if last is not None:
            by_channel[channel] = last["created_at"]
    fields["last_inbound_at_by_channel"] = by_channel
    if by_channel:
        fields["last_inbound_at"] = max(by_channel.values())
    # Waiting since the first customer message after the last reply (none when answered or resolved).
    waiting: datetime | None = None
    if not resolved and newest is not None and newest.get("direction") == model.IN:
        last_out = await messages.find_one({"conversation_id": conversation_id, "direction": model.OUT},
                                           sort=[("created_at", DESCENDING)])
        after = {"created_at": {"$gt": last_out["created_at"]}} if last_out is not None else {}
        first = await messages.find_one({**inbound, **after}, sort=[("created_at", ASCENDING)])
        waiting = first["created_at"] if first is not None else None
    if waiting is not None:
        fields["waiting_since"] = waiting
    else:
        unset["waiting_since"] = ""
    update: Doc = {"$set": fields}
    if unset:
        update["$unset"] = unset
    return update
