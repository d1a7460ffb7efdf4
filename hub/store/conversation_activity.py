"""A conversation's last-message fields, derived again from the messages it holds (after a merge or its
undo moved messages in or out), as the touches of each message would have left them."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from hub import names as model
from hub.store.db import Db, Doc


async def derive(db: Db, conversation: Doc) -> Doc:
    """The update that sets those fields. One indexed read of the conversation's messages, folded here:
    the embedded server sorts every match in memory, so five sorted queries cost five times as much."""
    conversation_id: ObjectId = conversation["_id"]
    spoken = await db[model.MESSAGES].find(
        {"conversation_id": conversation_id, "direction": {"$in": [model.IN, model.OUT]}},
        {"direction": 1, "channel": 1, "created_at": 1, "text": 1},
    ).to_list(None)
    spoken.sort(key=lambda m: (m["created_at"], m["_id"]))
    fields: Doc = {"channels": sorted({m["channel"] for m in spoken if m.get("channel")})}
    if spoken:
        newest = spoken[-1]
        fields.update(last_message_at=newest["created_at"], last_channel=newest.get("channel"),
                      last_message_preview=model.preview(str(newest.get("text") or "")))
    by_channel: dict[str, datetime] = {}
    waiting: datetime | None = None
    for message in spoken:
        if message["direction"] == model.IN:
            if message.get("channel"):
                by_channel[message["channel"]] = message["created_at"]
            waiting = waiting or message["created_at"]
        else:
            waiting = None  # answered: waiting starts again with the next customer message
    fields["last_inbound_at_by_channel"] = by_channel
    if by_channel:
        fields["last_inbound_at"] = max(by_channel.values())
    update: Doc = {"$set": fields}
    if waiting is not None and conversation.get("status") != "resolved":
        fields["waiting_since"] = waiting
    else:
        update["$unset"] = {"waiting_since": ""}
    return update
