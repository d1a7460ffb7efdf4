"""What changes a conversation, the same for one from the API and many from the bulk bar."""

from __future__ import annotations

from hub import names as model
from hub.assign import moves as routing_moves
from hub.clock import utcnow
from hub.errors import BadInput, Forbidden, NotFound
from hub.outbound import surveys
from hub.runtime import Hub
from hub.store import conversations, messages, reports, users
from hub.store.db import Doc, oid
from hub.store.documents import Conversation

STATUS_SENTENCE = f"status must be one of {', '.join(model.CONVERSATION_STATUSES)}"


async def resolve_assignee(hub: Hub, user: Doc, raw: object) -> Doc | None:
    """Who "assignee_id" names: "me", nobody ("none", empty, null) or a user id; BadInput for anyone else."""
    if raw in (None, "", "none"):
        return None
    if raw == "me":
        return user
    assignee_id = oid(raw)
    assignee = await users.user(hub.db, assignee_id) if assignee_id else None
    if assignee is None:
        raise BadInput("assignee_id is not a known user", field="assignee_id")
    assignee.pop("password_hash", None)
    return assignee


async def assign(hub: Hub, user: Doc, conversation: Conversation, assignee: Doc | None, note: str
                 ) -> Conversation:
    """Give `conversation` to `assignee` (or nobody): an agent may only take what nobody else holds, for
    themselves. Routing keeps agents' load and the timeline (with the optional note) in step with the move."""
    if user.get("role") == "agent" and assignee is not None and assignee["_id"] != user["_id"]:
        raise Forbidden("agents may assign conversations to themselves only; ask a team lead")
    held_by = conversation.get("assignee_id")
    if user.get("role") == "agent" and held_by is not None and held_by != user["_id"]:
        raise Forbidden("this conversation is another agent's; ask a team lead to reassign it")
    return await routing_moves.reassign(hub, user, conversation, assignee, note, utcnow())


async def change_status(hub: Hub, user: Doc, conversation: Conversation, status: str, *, bulk: bool = False
                        ) -> Conversation:
    """Set a conversation's status, free capacity on resolve, and say who did it in the timeline."""
    now = utcnow()
    try:
        updated = await conversations.set_status(hub.db, conversation["_id"], status, now)
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if updated is None:
        raise NotFound("conversation not found")
    await routing_moves.after_status_change(hub, conversation, updated, now)  # a resolve frees capacity
    await reports.status_changed(hub.db, conversation, updated, now)
    data: Doc = {"type": "status", "status": status, "by": user["_id"]}
    if bulk:
        data["bulk"] = True
    await messages.insert_event(hub.db, updated, f"{user.get('name')} marked this {status}.", data, now,
                                author=model.agent_author(user))
    if status == "resolved":
        await surveys.queue_after_resolve(hub, updated, now)  # when its department asks, once
    return updated
