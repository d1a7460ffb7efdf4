"""Is the website chat's department answering now? Its business hours (routing/hours.py) say whether the
widget shows "we usually reply within …" (the department's first-response target) or "we're offline,
leave your email"; the department is the one Admin → Website chat names, else routing's default."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from channels.webchat.look import WidgetLook
from hub.assign.runtime import runtime
from hub.runtime import Hub
from routing.hours import is_open, next_open
from routing.model import PRIORITIES, Department


@dataclass(frozen=True)
class ChatHours:
    online: bool
    reply_within_seconds: float | None  # the department's first-response target (normal priority first)
    opens_at: datetime | None  # when closed: the next opening, if the schedule ever opens
    department_key: str | None


def reply_target(department: Department | None) -> float | None:
    if department is None:
        return None
    for priority in ("normal", *PRIORITIES):
        target = department.sla.get(priority)
        if target is not None and target.first_response:
            return float(target.first_response)
    return None


async def chat_hours(hub: Hub, look: WidgetLook, now: datetime) -> ChatHours:
    config = await runtime(hub).config()
    chosen = config.department_for(look.department_id) if look.department_id else None
    key = config.key_by_oid.get(chosen["_id"]) if chosen is not None else config.policy.default_department_id
    department = config.policy.departments.get(key) if key else None
    online = is_open(department, now)
    return ChatHours(online, reply_target(department), None if online else next_open(department, now), key)
