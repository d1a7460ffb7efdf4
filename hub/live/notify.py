"""The one way anything tells people something: `notify()` stores a notification per recipient.

Every producer calls it: mentions in notes (hub/api/conversations.py), assignments and transfers
(hub/assign/moves.py, apply.py, tasks.py), SLA breaches, routing rules' notify action; automation and
campaigns later. It lives here, below hub/actions, because the routing side (hub/assign) produces
most notifications and may not import the service layer.

Delivery is the change stream's: the insert is the commit, and every hub process's stream hands the
new document to that user's open pages (inbox_ui/live.py), so nothing is announced that was not
stored, and a page that reconnects re-reads its list instead of relying on what it missed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bson import ObjectId

from hub.store import notifications as store
from hub.store import users
from hub.store.db import Db, Doc

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Kind:
    label: str  # how the bell's list names one
    setting: str  # how the bell's alert settings name the toggle for them


# Every kind a notification may have. A new producer adds its kind here, and the per-kind browser
# notification toggle appears for it in the bell's settings.
KINDS: Final[dict[str, Kind]] = {
    "mention": Kind("Mention", "Mentions in notes"),
    "assignment": Kind("Assigned to you", "Conversations assigned to me"),
    "transfer": Kind("Transfer", "Transfers to my department"),
    "sla_warning": Kind("SLA warning", "SLA warnings"),
    "sla_breach": Kind("SLA breach", "SLA breaches"),
    "routing": Kind("Routing", "Routing rule notices"),
    "csat_alert": Kind("Low rating", "Low satisfaction ratings"),
}


async def notify(db: Db, recipients: Iterable[ObjectId | None], kind: str, text: str, now: datetime, *,
                 conversation: Mapping[str, Any] | None = None, actor_id: ObjectId | None = None,
                 data: Doc | None = None) -> list[Doc]:
    """One notification for each active recipient, never for the person who caused it (`actor_id`).

    With a `conversation`, the notification links to it and keeps its contact's name as it was then,
    so the list reads well without a look-up per row, and after the conversation is resolved."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}; add it to hub.live.notify.KINDS")
    try:
        return await _store(db, recipients, kind, text, now, conversation, actor_id, data)
    except Exception:
        # What caused it (a move, a note) has committed and must not be reported as failed because
        # telling someone of it did not work; the log keeps what was lost.
        log.exception("notification not stored kind=%s conversation=%s", kind,
                      conversation.get("_id") if conversation else None)
        return []


async def _store(db: Db, recipients: Iterable[ObjectId | None], kind: str, text: str, now: datetime,
                 conversation: Mapping[str, Any] | None, actor_id: ObjectId | None, data: Doc | None) -> list[Doc]:
    wanted: list[ObjectId] = []
    for user_id in recipients:
        if user_id is not None and user_id != actor_id and user_id not in wanted:
            wanted.append(user_id)
    if not wanted:
        return []
    active = await users.active_user_ids(db, wanted)
    extra: Doc = dict(data or {})
    if actor_id is not None:
        extra.setdefault("by", actor_id)
    if conversation is not None and conversation.get("contact_name"):
        extra.setdefault("contact_name", conversation["contact_name"])
    conversation_id = conversation["_id"] if conversation is not None else None
    return [await store.add(db, user_id, kind, text, now, conversation_id, extra)
            for user_id in wanted if user_id in active]


async def assigned(db: Db, conversation: Mapping[str, Any], assignee_id: ObjectId | None, now: datetime, *,
                   actor: Doc | None = None, why: str = "") -> list[Doc]:
    """Tell an agent a conversation is now theirs (by a person, or by routing when `actor` is None)."""
    if assignee_id is None:
        return []
    who = f"{actor.get('name')} assigned you a conversation" if actor else "Routing assigned you a conversation"
    text = who + (f": {why}" if why else "")
    return await notify(db, [assignee_id], "assignment", text, now, conversation=conversation,
                        actor_id=actor["_id"] if actor else None)


async def transferred(db: Db, conversation: Mapping[str, Any], department: Doc, now: datetime, *, actor: Doc,
                      assignee: Doc | None = None, note: str = "") -> list[Doc]:
    """A transfer into a department. With nobody assigned, its agents and leads hear of it (someone must
    pick it up); with an assignee, they are told it is theirs, and the department's lead hears of it."""
    by, where = str(actor.get("name")), str(department.get("name"))
    tail = f" Note: {note}" if note else ""
    lead = department.get("lead_id")
    found: list[Doc] = []
    people: list[ObjectId | None]
    if assignee is not None:
        found += await assigned(db, conversation, assignee["_id"], now, actor=actor,
                                why=f"transferred to {where}.{tail}")
        people = [lead if lead != assignee["_id"] else None]
        text = f"{by} transferred a conversation to {where}, assigned to {assignee.get('name') or 'an agent'}.{tail}"
    else:
        people = [p["_id"] for p in await users.department_people(db, department["_id"])] + [lead]
        text = f"{by} transferred a conversation to {where}; it waits in the queue.{tail}"
    found += await notify(db, people, "transfer", text, now, conversation=conversation, actor_id=actor["_id"],
                          data={"department_id": department["_id"]})
    return found
