"""Contacts: the list (with search), and a profile with identities, attributes, tags, history and merges."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions.access import contact_or_404
from hub.actions.contacts import merge_pair, present_preview, profile
from hub.http.params import oid_param
from hub.http.web import render
from hub.store import contact_merges, contacts, inbox_views, search, users
from inbox_ui import view_models

routes = web.RouteTableDef()
PAGE_SIZE = 50


@routes.get("/inbox/contacts")
async def contact_list(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    current_user(request)
    q = request.query.get("q", "").strip()
    older = None
    found: Sequence[Mapping[str, Any]]
    if search.query_pattern(q):
        found = await search.contacts_matching(hub.db, q, PAGE_SIZE)
    else:
        before = oid_param(request.query, "before", "a contact id")
        found = await contacts.page(hub.db, before, PAGE_SIZE)
        if len(found) == PAGE_SIZE:
            older = f"/inbox/contacts?before={found[-1]['_id']}"
    return render(request, "contacts.html", {"q": q, "contacts": view_models.contact_rows(found), "older": older})


@routes.get("/inbox/contacts/{id}")
async def contact_page(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    contact = await contact_or_404(hub, request.match_info["id"])
    if contact.get("merged_into") is not None:
        # A merged-away record: its history lives on the contact it was merged into (undo is there).
        raise web.HTTPFound(f"/inbox/contacts/{contact['merged_into']}")
    data = await profile(hub, user, contact)
    people = await users.user_map(hub.db, [m.get("by") for m in data["merges"]])
    return render(request, "contact.html", {"page": view_models.ContactPage.of(data, people),
                                            "is_lead": inbox_views.is_lead(user)})


@routes.get("/inbox/contacts/{id}/merge")
async def merge_page(request: web.Request) -> web.Response:
    """Ask before merging: what would move into this contact from `from`, and what looks like two people."""
    require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    source, target = await merge_pair(hub, request.query.get("from", ""), request.match_info["id"])
    planned = await contact_merges.plan(hub.db, source, target)
    return render(request, "contact_merge.html", {"plan": planned, "preview": present_preview(planned),
                                                  "source": source, "target": target,
                                                  "source_label": contact_merges.label(source),
                                                  "target_label": contact_merges.label(target)})
