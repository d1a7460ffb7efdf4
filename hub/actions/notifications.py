"""The notifications centre as the API and the pages use it: my list, marking read, my alert settings.

Producers call `hub.live.notify.notify` (re-exported here as `notify` for producers at this layer and
above: automation, campaigns); `mentioned` is the one for notes. Every read and write here takes the
signed-in user and touches only that user's notifications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from hub import names as model
from hub.clock import utcnow
from hub.errors import NotFound
from hub.live.notify import KINDS, notify
from hub.runtime import Hub
from hub.store import notifications as store
from hub.store import users
from hub.store.db import Doc

__all__ = ["KINDS", "Page", "mark_all_read", "mark_read", "mentioned", "notify", "page", "preferences",
           "present", "save_preferences", "unread_count"]

# A new conversation assigned to me and a mention are what the optional sound is for.
SOUND_KINDS = ("assignment", "mention")


@dataclass(frozen=True)
class Page:
    notifications: list[Doc]
    unread_count: int
    next_before: ObjectId | None  # pass as `before` for the next (older) page; None when this is the last


def _label(kind: object) -> str:
    known = KINDS.get(str(kind))
    return known.label if known else str(kind)


def present(doc: Doc) -> dict[str, Any]:
    conversation_id = doc.get("conversation_id")
    data = doc.get("data") or {}
    return {"id": doc["_id"], "kind": doc.get("kind"), "label": _label(doc.get("kind")),
            "text": doc.get("text") or "", "conversation_id": conversation_id,
            "contact_name": data.get("contact_name"),
            "url": f"/inbox/c/{conversation_id}" if conversation_id else None,
            "created_at": doc.get("created_at"), "read_at": doc.get("read_at"), "read": doc.get("read_at") is not None,
            "data": data}


async def page(hub: Hub, user: Doc, *, limit: int, before: ObjectId | None = None,
               unread_only: bool = False) -> Page:
    found = await store.for_user(hub.db, user["_id"], limit + 1, before=before, unread_only=unread_only)
    more = len(found) > limit
    found = found[:limit]
    return Page(found, await store.unread_count(hub.db, user["_id"]), found[-1]["_id"] if more else None)


async def unread_count(hub: Hub, user: Doc) -> int:
    return await store.unread_count(hub.db, user["_id"])


async def mark_read(hub: Hub, user: Doc, notification_id: ObjectId | None) -> Doc:
    found = await store.mark_read(hub.db, user["_id"], notification_id, utcnow()) if notification_id else None
    if found is None:
        raise NotFound("notification not found")  # someone else's reads the same as none at all
    return found


async def mark_all_read(hub: Hub, user: Doc, up_to: ObjectId | None = None) -> int:
    return await store.mark_all_read(hub.db, user["_id"], utcnow(), up_to)


async def preferences(hub: Hub, user: Doc) -> dict[str, Any]:
    saved = await users.notification_preferences(hub.db, user["_id"])
    browser = [k for k in saved.get("browser") or [] if k in KINDS]
    return {"browser": browser, "sound": bool(saved.get("sound")), "sound_kinds": list(SOUND_KINDS),
            "kinds": [{"kind": kind, "label": k.setting} for kind, k in KINDS.items()]}


async def save_preferences(hub: Hub, user: Doc, browser: list[str], sound: bool) -> dict[str, Any]:
    kinds = [k for k in KINDS if k in browser]  # the catalogue's order, each once
    await users.save_notification_preferences(hub.db, user["_id"], {"browser": kinds, "sound": sound}, utcnow())
    return await preferences(hub, user)


async def mentioned(hub: Hub, author: Doc, conversation: Mapping[str, Any], note: Mapping[str, Any],
                    people: list[Doc]) -> list[Doc]:
    """Tell each person @mentioned in a private note (the author is never told of their own note)."""
    preview = model.preview(str(note.get("text") or ""), 120)
    return await notify(hub.db, [p["_id"] for p in people], "mention",
                        f"{author.get('name')} mentioned you in a note: {preview}", utcnow(),
                        conversation=conversation, actor_id=author["_id"], data={"message_id": note["_id"]})
