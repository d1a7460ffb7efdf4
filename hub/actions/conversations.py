"""What changes a conversation, the same for one from the API and many from the bulk bar."""

from __future__ import annotations

from hub import names as model
from hub.assign import moves as routing_moves
from hub.clock import utcnow
from hub.errors import BadInput, NotFound
from hub.runtime import Hub
from hub.store import conversations, messages
from hub.store.db import Doc


async def change_status(hub: Hub, user: Doc, conversation: Doc, status: str, *, bulk: bool = False) -> Doc:
    """Set a conversation's status, free capacity on resolve, and say who did it in the timeline."""
    now = utcnow()
    try:
        updated = await conversations.set_status(hub.db, conversation["_id"], status, now)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if updated is None:
        raise NotFound("conversation not found")
    await routing_moves.after_status_change(hub, conversation, updated, now)  # a resolve frees capacity
    data: Doc = {"type": "status", "status": status, "by": user["_id"]}
    if bulk:
        data["bulk"] = True
    await messages.insert_event(hub.db, updated, f"{user.get('name')} marked this {status}.", data, now,
                                author=model.agent_author(user))
    return updated
