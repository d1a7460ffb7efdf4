"""JSON API for the inbox's lists: views with filters and keyset pages, search, bulk actions, the team."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from bson import ObjectId

from hub import channel_catalog, keys, present, routing_moves
from hub.api import change_status, visible_conversation
from hub.auth import current_user, require_role
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import BadInput, Forbidden, HubError
from hub.params import int_param
from hub.routing_runtime import runtime
from hub.store import agents, conversations, inbox_views, search, users
from hub.store import departments as department_store
from hub.store.db import Doc, oid
from hub.web import json_response, read_body, read_form

routes = web.RouteTableDef()
MAX_BULK = 200
MAX_LABEL = 100


@dataclass(frozen=True)
class ListRequest:
    view: str
    filters: inbox_views.Filters
    before: tuple[datetime, ObjectId] | None
    limit: int


def list_request(q: Mapping[str, str], user: Doc, default_limit: int = 50, default_view: str = "all"
                 ) -> ListRequest:
    """Read a list's view, filters, sort and cursor from a query string; BadInput with the reason.

    Without a view the API lists everything the user may see ("all"; for agents that is their
    departments and their own), as it always did; the inbox page opens agents on "mine".
    """
    view = q.get("view") or default_view
    status = q.get("status", "open")
    if status not in (*inbox_views.STATUSES, "any"):
        raise BadInput(f"unknown status {status!r}; use open, pending, snoozed, resolved or any")
    channel = q.get("channel") or None
    if channel is not None and channel not in channel_catalog.names():
        raise BadInput(f"unknown channel {channel!r}; use {', '.join(channel_catalog.names())}")
    label = (q.get("label") or "").strip() or None
    if label is not None and len(label) > MAX_LABEL:
        raise BadInput(f"a label is at most {MAX_LABEL} characters")
    priority = q.get("priority") or None
    if priority is not None and priority not in inbox_views.PRIORITIES:
        raise BadInput(f"unknown priority {priority!r}; use {', '.join(inbox_views.PRIORITIES)}")
    sort = q.get("sort") or "recent"
    if sort not in inbox_views.SORTS:
        raise BadInput("sort must be 'recent' (last activity) or 'waiting' (longest waiting first)")
    raw_assignee = q.get("assignee") or None
    assignee: ObjectId | str | None = None
    if raw_assignee == "me":
        assignee = user["_id"]
    elif raw_assignee == "none":
        assignee = "none"
    elif raw_assignee:
        assignee = oid(raw_assignee)
        if assignee is None:
            raise BadInput("assignee must be a user id, 'me' or 'none'")
    department = q.get("department")
    if department:  # the API's earlier filter: the same as that department's view
        if oid(department) is None:
            raise BadInput("department must be a department id")
        view = f"dept:{department}"
    limit = int_param(q, "limit", default_limit, 1, 200)
    try:
        before = inbox_views.parse_cursor(q["before"]) if q.get("before") else None
    except inbox_views.ViewError as exc:
        raise BadInput(str(exc)) from None
    filters = inbox_views.Filters(status=None if status == "any" else status, channel=channel, label=label,
                                  assignee=assignee, priority=priority, sort=sort)
    return ListRequest(view, filters, before, limit)


async def list_page(hub: Hub, user: Doc, request: ListRequest) -> tuple[list[Doc], str | None]:
    """One page and the cursor of the next (None when nothing further)."""
    try:
        page, after = await inbox_views.page(hub.db, user, request.view, request.filters, request.before,
                                             request.limit)
    except inbox_views.NotYourDepartment as exc:
        raise Forbidden(str(exc)) from None
    except inbox_views.ViewError as exc:
        raise BadInput(str(exc)) from None
    return page, inbox_views.format_cursor(after) if after is not None else None


@routes.get("/api/v1/conversations")
async def list_conversations(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    wanted = list_request(request.query, user)
    page, cursor = await list_page(hub, user, wanted)
    body: dict[str, Any] = {"conversations": [present.conversation(c) for c in page], "next": cursor}
    if request.query.get("counts") in ("1", "true"):
        views = [key for key, _ in inbox_views.view_names(user, await department_store.all_departments(hub.db))]
        body["counts"] = await inbox_views.counts(hub.db, user, views, wanted.filters.status)
    return json_response(body)


@routes.get("/api/v1/search")
async def search_everything(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    q = request.query.get("q", "")
    if not search.query_pattern(q):
        raise BadInput("'q' is required: a name, phone, email or words from a message")
    found = await search.conversations_matching(hub.db, q, conversations.visibility_filter(user))
    people = await search.contacts_matching(hub.db, q)
    return json_response({"conversations": [present.conversation(c) for c in found],
                          "contacts": [present.contact(c) for c in people]})


# --- bulk actions -----------------------------------------------------------------------------------------


def _ids(body: dict[str, Any], form_ids: list[str]) -> list[str]:
    raw = body.get("ids") if "ids" in body and not form_ids else form_ids
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(i, str) for i in raw):
        raise BadInput("'ids' must be a list of conversation ids (select at least one)")
    if len(raw) > MAX_BULK:
        raise BadInput(f"at most {MAX_BULK} conversations at once; you selected {len(raw)}")
    return list(dict.fromkeys(raw))


async def _assignee(hub: Hub, user: Doc, raw: object) -> Doc | None:
    if raw in (None, "", "none"):
        return None
    if raw == "me":
        return user
    assignee_id = oid(raw)
    assignee = await users.user(hub.db, assignee_id) if assignee_id else None
    if assignee is None:
        raise BadInput("assignee_id is not a known user")
    assignee.pop("password_hash", None)
    return assignee


async def _assign_one(hub: Hub, user: Doc, conversation: Doc, assignee: Doc | None, note: str) -> Doc:
    """The single assign endpoint's rules, per conversation."""
    if user.get("role") == "agent" and assignee is not None and assignee["_id"] != user["_id"]:
        raise Forbidden("agents may assign conversations to themselves only; ask a team lead")
    held_by = conversation.get("assignee_id")
    if user.get("role") == "agent" and held_by is not None and held_by != user["_id"]:
        raise Forbidden("this conversation is another agent's; ask a team lead to reassign it")
    return await routing_moves.reassign(hub, user, conversation, assignee, note, utcnow())


async def _status_one(hub: Hub, user: Doc, conversation: Doc, status: str) -> Doc:
    return await change_status(hub, user, conversation, status, bulk=True)


@routes.post("/api/v1/conversations/bulk")
async def bulk(request: web.Request) -> web.Response:
    """Apply one action to many conversations; each is checked on its own and gets its own result."""
    hub, user = request.app[keys.HUB], current_user(request)
    body = await read_body(request)
    form_ids: list[str] = []
    if request.content_type != "application/json":
        form_ids = [v for v in (await read_form(request)).getall("ids", []) if isinstance(v, str)]
    ids = _ids(body, form_ids)
    action = body.get("action")
    if action not in ("assign", "resolve", "status", "transfer"):
        raise BadInput("'action' must be assign, resolve, status or transfer")
    note = routing_moves.check_note(body.get("note"))
    assignee: Doc | None = None
    department: Doc | None = None
    status = "resolved" if action == "resolve" else body.get("status")
    if action == "assign":
        assignee = await _assignee(hub, user, body.get("assignee_id", "me"))
    elif action == "status" and status not in inbox_views.STATUSES:
        raise BadInput("status must be one of open, pending, snoozed, resolved")
    elif action == "transfer":
        require_role(request, "admin", "lead")
        raw = body.get("department_id")
        if not isinstance(raw, str) or not raw.strip():
            raise BadInput("'department_id' is required to transfer")
        department = (await runtime(hub).config()).department_for(raw.strip())
        if department is None:
            raise BadInput(f"no department {raw.strip()!r}")
    results: list[dict[str, Any]] = []
    for raw_id in ids:
        try:
            conversation = await visible_conversation(hub, user, raw_id)
            if action == "assign":
                updated = await _assign_one(hub, user, conversation, assignee, note)
            elif action == "transfer":
                assert department is not None
                updated = await routing_moves.transfer(hub, user, conversation, department, note, utcnow())
            else:
                updated = await _status_one(hub, user, conversation, str(status))
        except HubError as exc:
            results.append({"id": raw_id, "ok": False, "status": exc.status, "error": exc.message})
        except web.HTTPException as exc:
            results.append({"id": raw_id, "ok": False, "status": exc.status, "error": exc.text or exc.reason})
        else:
            results.append({"id": raw_id, "ok": True, "status": 200, "conversation": present.conversation(updated)})
    done = sum(1 for r in results if r["ok"])
    return json_response({"action": action, "done": done, "failed": len(results) - done, "results": results})


# --- the team -------------------------------------------------------------------------------------------


async def team_rows(hub: Hub) -> list[dict[str, Any]]:
    """Every person who takes conversations: load against capacity, presence, and whether connected."""
    now = utcnow()
    people = [u for u in await users.users(hub.db) if u.get("role") == "agent" or u.get("routable")]
    rows = []
    for person in people:
        capacity = int(person.get("capacity", agents.DEFAULT_CAPACITY) or 0)
        load = int(person.get("open_count") or 0)
        until = person.get("connected_until")
        rows.append({"id": person["_id"], "name": person.get("name"), "email": person.get("email"),
                     "role": person.get("role"), "status": person.get("status") or "offline",
                     "connected": isinstance(until, datetime) and until > now, "open_count": load,
                     "capacity": capacity, "full": load >= capacity,
                     "department_ids": person.get("department_ids") or []})
    return rows


@routes.get("/api/v1/team")
async def team(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"agents": await team_rows(request.app[keys.HUB])})
