"""The command palette's search (⌘K / Ctrl-K in the inbox): a few conversations, contacts and department views
for what the agent typed, each with the URL it opens.

It is the inbox search (hub/store/search.py: names, phone numbers in any format or script, email, @username,
words of a message) cut to what fits a palette, under the same visibility rule as the lists: an agent gets
only conversations of their departments or assigned to them. Contacts are everyone's, as on the contacts page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web
from pydantic import Field

from channels.base import WEBCHAT
from hub import keys
from hub.access.auth import current_user
from hub.http.request_models import RequestModel, parse_query
from hub.http.web import json_response
from hub.store import conversations, inbox_views, search
from hub.store import departments as department_store
from hub.store.db import Doc

routes = web.RouteTableDef()
MOST_CONVERSATIONS = 8
MOST_CONTACTS = 5
PREVIEW_CHARS = 90
HINT = "Type a name, phone number, email or @username to find conversations and contacts"


class PaletteQuery(RequestModel):
    q: str = Field(default="", max_length=search.MAX_QUERY)

    field_messages = {"q": f"'q' may have at most {search.MAX_QUERY} characters: type less of the name or number"}


@routes.get("/api/v1/palette")
async def palette(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    q = parse_query(request, PaletteQuery).q.strip()
    departments = await department_store.all_departments(hub.db)
    views = _department_views(user, departments, q)
    if search.query_pattern(q) is None:
        # Nothing to search for (empty, or only spaces and marks): the palette shows its actions and this hint.
        return json_response({"q": q, "conversations": [], "contacts": [], "views": views, "hint": HINT})
    found = await search.conversations_matching(hub.db, q, conversations.visibility_filter(user),
                                                MOST_CONVERSATIONS)
    people = await search.contacts_matching(hub.db, q, MOST_CONTACTS)
    names = {d["_id"]: str(d.get("name") or "") for d in departments}
    return json_response({"q": q, "conversations": [_conversation(c, names) for c in found],
                          "contacts": [_contact(c) for c in people], "views": views})


def _conversation(doc: Doc, departments: dict[Any, str]) -> dict[str, Any]:
    preview = " ".join(str(doc.get("last_message_preview") or "").split())
    return {"id": doc["_id"], "url": f"/inbox/c/{doc['_id']}", "name": str(doc.get("contact_name") or ""),
            "status": doc.get("status"), "channel": doc.get("last_channel"),
            "department": departments.get(doc.get("department_id")),
            "preview": preview[:PREVIEW_CHARS] + ("…" if len(preview) > PREVIEW_CHARS else ""),
            "last_message_at": doc.get("last_message_at")}


def _contact(doc: Mapping[str, Any]) -> dict[str, Any]:
    # A web chat visitor id is a random token, no way to recognise anyone: the palette never shows it.
    shown = [str(i.get("value")) for i in doc.get("identities") or [] if i.get("kind") != WEBCHAT and i.get("value")]
    handles = [f"@{u}" for u in search.usernames(doc).values()]
    return {"id": doc["_id"], "url": f"/inbox/contacts/{doc['_id']}", "name": str(doc.get("name") or ""),
            "identities": (shown + handles)[:3]}


def _department_views(user: Doc, departments: list[Doc], q: str) -> list[dict[str, str]]:
    """The user's department views whose name holds `q` (all of them for an empty q); the built-in views
    (Mine, Unassigned…) are in the palette's own translated list."""
    wanted = search.search_key(q)
    views = inbox_views.view_names(user, departments)
    return [{"key": key, "label": label, "url": f"/inbox?view={key}"} for key, label in views
            if key.startswith("dept:") and wanted in search.search_key(label)]
