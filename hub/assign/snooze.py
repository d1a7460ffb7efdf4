"""Snoozed conversations reopen when their time comes (run by the periodic routing pass)."""

from __future__ import annotations

from datetime import datetime

from hub.runtime import Hub
from hub.store import conversation_meta, messages


async def wake_snoozed(hub: Hub, now: datetime) -> list[str]:
    woken: list[str] = []
    for doc in await conversation_meta.due_snoozes(hub.db, now):
        updated = await conversation_meta.wake(hub.db, doc["_id"], now)
        if updated is None:  # another process woke it, or an agent changed it meanwhile
            continue
        await messages.insert_event(hub.db, updated, "The snooze ended; the conversation is open again.",
                                    {"type": "status", "status": "open", "by": "snooze"}, now)
        woken.append(str(doc["_id"]))
    return woken
