"""Admin → Website chat → Appearance: colour, position, title, greeting, pre-chat form and department.

The form posts to /admin/webchat/look (inbox_ui/admin.py); a problem re-renders the page with the
admin's values and the sentence next to the setting. The page's preview is the real widget (widget.js
with data-preview), redrawn from the unsaved form as the admin types (static/webchat_admin.js); it opens
no socket, so it makes no conversations.
"""

from __future__ import annotations

from typing import Any

from channels.webchat.look import FIELD_STATES, POSITIONS, PRECHAT_FIELDS, BadLook, WidgetLook, check
from hub.actions import webchat_look as look_actions
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import departments as department_store
from hub.store import webchat_look
from hub.webchat_hours import chat_hours
from inbox_ui import view_models
from inbox_ui.terms import N_

FIELD_LABELS = {"name": N_("Name"), "email": N_("Email"), "question": N_("Question")}
STATE_LABELS = {"off": N_("Not asked"), "optional": N_("Optional"), "required": N_("Required")}
POSITION_LABELS = {"right": N_("Bottom right"), "left": N_("Bottom left")}


async def look_context(hub: Hub, shown: WidgetLook | None = None, problem: BadLook | None = None) -> dict[str, Any]:
    """What the Appearance section shows: the saved settings (or the ones just refused), the choices."""
    look = shown or await webchat_look.look(hub.db)
    saved = await webchat_look.look(hub.db)
    now = utcnow()
    hours = await chat_hours(hub, saved, now)
    departments = view_models.department_options(await department_store.all_departments(hub.db))
    # The preview shows what each department would say: its reply target and whether it is open now.
    answering = {str(d.id): await chat_hours(hub, WidgetLook(department_id=str(d.id)), now) for d in departments}
    default = await chat_hours(hub, WidgetLook(), now)
    return {"look": look, "look_department_hours": answering, "look_default_hours": default,
            "look_problem": str(problem) if problem else None,
            "look_problem_setting": problem.setting if problem else None,
            "look_departments": departments,
            "prechat_fields": [(f, FIELD_LABELS[f]) for f in PRECHAT_FIELDS],
            "field_states": [(s, STATE_LABELS[s]) for s in FIELD_STATES],
            "positions": [(p, POSITION_LABELS[p]) for p in POSITIONS],
            "chat_online": hours.online, "chat_reply_within": hours.reply_within_seconds}


def _from_form(body: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as check() reads them; an unticked box is simply absent from a form."""
    texts = ("colour", "position", "title", "greeting", "department_id")
    given: dict[str, Any] = {k: body[k] for k in texts if k in body}
    given["prechat"] = body.get("prechat", "off")
    given["fields"] = {f: body[f"fields.{f}"] for f in PRECHAT_FIELDS if f"fields.{f}" in body}
    return given


async def chosen_look(hub: Hub, body: dict[str, Any]) -> tuple[WidgetLook, BadLook | None]:
    """(the settings to save, None), or (the refused ones as far as they can be shown again, the problem)."""
    current = await webchat_look.look(hub.db)
    try:
        return await look_actions.checked(hub, _from_form(body), current), None
    except BadLook as exc:
        return _lenient(_from_form(body), current), exc


def _lenient(values: dict[str, Any], current: WidgetLook) -> WidgetLook:
    """Each value that passes on its own: what the admin typed shows again, a bad one as it was saved."""
    look = current
    for key, value in values.items():
        try:
            look = check({key: value}, look)
        except BadLook:
            continue
    return look
