"""Conversation lists: the views an agent works from, their filters and counts, and search."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from aiohttp import web
from bson import ObjectId

from hub import keys
from hub.access.auth import current_user
from hub.actions import read_state
from hub.actions.inbox import LIST_STATUSES, ListRequest, list_page, list_request
from hub.http.web import render
from hub.store import conversations, inbox_views, search, users
from hub.store import departments as department_store
from hub.store.db import Doc
from hub.store.documents import Contact
from inbox_ui import view_models

routes = web.RouteTableDef()
PAGE_SIZE = 50
FILTER_KEYS = ("view", "status", "channel", "label", "assignee", "priority", "sort")


def _query(wanted: ListRequest, raw: dict[str, str], **changes: str) -> str:
    """The list's query string with some parameters changed (the cursor is never carried over)."""
    params = {k: raw[k] for k in FILTER_KEYS if raw.get(k)}
    params["view"] = wanted.view
    params.update({k: v for k, v in changes.items() if v})
    return urlencode(params)


def list_query(request: web.Request) -> str:
    """The list's view and filters as a query string: carried by every conversation link, so a reload or a new
    tab of /inbox/c/{id}?… shows the same list beside it (the page cursor is not carried)."""
    return urlencode({k: request.query[k] for k in FILTER_KEYS if request.query.get(k)}, safe=":")


async def list_context(request: web.Request, open_id: ObjectId | None = None) -> dict[str, object]:
    """The list pane: views with counts, filters, one page of rows; `open_id` is the conversation shown beside it."""
    hub, user = request.app[keys.HUB], current_user(request)
    wanted = list_request(request.query, user, PAGE_SIZE, "all" if inbox_views.is_lead(user) else "mine")
    # Two rounds of reads in flight together, not five in a row: the page, the departments and the people;
    # then what needs them (the tabs' counts need the department views, unread marks need the page).
    (page, cursor), departments, everyone = await asyncio.gather(
        list_page(hub, user, wanted), department_store.all_departments(hub.db), users.users(hub.db))
    views = inbox_views.view_names(user, departments)
    raw = dict(request.query)
    (counts, unread_counts), unread = await asyncio.gather(
        inbox_views.counts_with_unread(hub.db, user, [k for k, _ in views], wanted.filters.status, hub.events.tally),
        read_state.unread_among(hub, user, page))
    people = {u["_id"]: u for u in everyone}
    return {
        "view": wanted.view, "tabs": view_models.view_tabs(views, counts, unread_counts), "filters": wanted.filters,
        "raw": raw,
        "status": raw.get("status", "open"), "statuses": LIST_STATUSES,
        "conversations": view_models.conversation_rows(page, {d["_id"]: d for d in departments}, people, unread),
        "department_list": departments,
        "agents": [u for u in everyone if u.get("role") == "agent" or u.get("routable")],
        "filter_channels": view_models.channel_options(), "priorities": inbox_views.PRIORITIES,
        "older": f"/inbox?{_query(wanted, raw, before=cursor)}" if cursor else None,
        "list_url": f"/inbox/list?{_query(wanted, raw, before=raw.get('before', ''))}",
        "link": lambda **changes: "/inbox?" + _query(wanted, raw, **changes),
        "is_lead": inbox_views.is_lead(user),
        "open_id": open_id, "list_query": list_query(request),
        "filtered": sum(1 for k in ("channel", "label", "assignee", "priority") if raw.get(k)) +
        (raw.get("status", "open") != "open") + (raw.get("sort") == "waiting"),
    }


@routes.get("/inbox")
async def inbox(request: web.Request) -> web.Response:
    return render(request, "inbox.html", await list_context(request))


@routes.get("/inbox/pane")
async def inbox_list_pane(request: web.Request) -> web.Response:
    """The list pane alone (views, filters, rows), swapped in place when the agent changes view, filters or page
    (inbox.js), so an open conversation stays open beside it."""
    return render(request, "partials/list_pane.html", await list_context(request))


@routes.get("/inbox/list")
async def inbox_list(request: web.Request) -> web.Response:
    return render(request, "partials/conversation_list.html", {**await list_context(request), "oob_counts": True})


async def search_context(request: web.Request) -> dict[str, object]:
    hub, user = request.app[keys.HUB], current_user(request)
    q = request.query.get("q", "").strip()
    found: list[Doc] = []
    people: list[Contact] = []
    if search.query_pattern(q):
        found = await search.conversations_matching(hub.db, q, conversations.visibility_filter(user))
        people = await search.contacts_matching(hub.db, q)
    departments = await department_store.all_departments(hub.db)
    assignees = await users.user_map(hub.db, [c.get("assignee_id") for c in found])
    rows = view_models.conversation_rows(found, {d["_id"]: d for d in departments}, assignees,
                                         await read_state.unread_among(hub, user, found))
    return {"q": q, "conversations": rows, "contacts": view_models.contact_rows(people), "older": None}


@routes.get("/inbox/search")
async def search_page(request: web.Request) -> web.Response:
    return render(request, "search.html", await search_context(request))
