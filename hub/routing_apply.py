"""Where the pure routing engine meets the database: gather a snapshot, decide, apply, explain."""

from __future__ import annotations

import logging
from datetime import datetime

from channels.base import InboundMessage
from hub.context import Hub
from hub.store import conversations, messages, users
from hub.store.db import Doc

log = logging.getLogger(__name__)


async def route_new(hub: Hub, conversation: Doc, contact: Doc, inbound: InboundMessage,
                    now: datetime) -> tuple[Doc, Doc | None]:
    """Route a conversation that has just opened (or reopened).

    Runs before the first message is stored, so the message's live event already reaches the
    right department. Returns (conversation, explanation event to add after that message).
    """
    department = await users.department_by_name(hub.db, hub.settings.default_department)
    department_id = department["_id"] if department else None
    reason = (
        f"No routing rule matched; sent to the default department {hub.settings.default_department}."
        if department else "No routing rule matched and no default department exists; left unrouted."
    )
    decision: Doc = {"department_id": department_id, "agent_id": None, "explanation": {"summary": reason}}
    applied = await conversations.apply_routing(hub.db, conversation["_id"], department_id, None, decision, now)
    if applied is None:  # a concurrent copy routed it first
        return await conversations.get(hub.db, conversation["_id"]) or conversation, None
    return applied, {"text": reason, "data": {"type": "routing", "decision": decision}}


async def record(hub: Hub, conversation: Doc, explanation: Doc, now: datetime) -> None:
    await messages.insert_event(hub.db, conversation, explanation["text"], explanation["data"], now)
