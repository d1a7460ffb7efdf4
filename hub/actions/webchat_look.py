"""Changing the website chat's look (Admin → Website chat, or the API): check, then save. One check for the
admin form and PUT /api/v1/admin/webchat/look, so both refuse the same things with the same sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from channels.webchat.look import BadLook, WidgetLook, check
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import departments as department_store
from hub.store import webchat_look


async def checked(hub: Hub, body: Mapping[str, Any], current: WidgetLook) -> WidgetLook:
    """The settings `body` asks for over `current`; BadLook naming the setting otherwise."""
    chosen = check(body, current)
    if chosen.department_id and await department_store.get(hub.db, ObjectId(chosen.department_id)) is None:
        raise BadLook("that department no longer exists; choose another", "department_id")
    return chosen


async def save(hub: Hub, body: Mapping[str, Any]) -> WidgetLook:
    chosen = await checked(hub, body, await webchat_look.look(hub.db))
    await webchat_look.save_look(hub.db, chosen, utcnow())
    return chosen
