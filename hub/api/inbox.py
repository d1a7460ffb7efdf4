"""JSON API for the inbox's lists: views with filters and keyset pages, search, bulk actions, the team."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from aiohttp import web
from bson import ObjectId
from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, StringConstraints, field_validator

from channels.base import IDENTITY_FOR_CHANNEL
from hub import keys
from hub.access.auth import current_user, require_role
from hub.api import presenters as present
from hub.api.v1 import change_status, visible_conversation
from hub.assign import moves as routing_moves
from hub.assign.moves import Note
from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.errors import BadInput, Forbidden, HubError
from hub.http.request_models import OptionalId, RequestModel, WholeNumber, one_of, parse_mapping, parse_query
from hub.http.web import json_response, read_body, read_form
from hub.runtime import Hub
from hub.store import agents, conversations, inbox_views, search, users
from hub.store import departments as department_store
from hub.store.db import Doc, oid

routes = web.RouteTableDef()
MAX_BULK = 200
MAX_LABEL = 100


@dataclass(frozen=True)
class ListRequest:
    view: str
    filters: inbox_views.Filters
    before: tuple[datetime, ObjectId] | None
    limit: int


def _assignee_filter(value: str) -> str:
    if value not in ("me", "none") and oid(value) is None:
        raise ValueError("assignee must be a user id, 'me' or 'none'")
    return value


def _cursor(value: str) -> tuple[datetime, ObjectId]:
    try:
        return inbox_views.parse_cursor(value)
    except inbox_views.ViewError as exc:
        raise ValueError(str(exc)) from None


class ListQuery(RequestModel):
    """A list's view, filters, sort and cursor; an empty parameter is the same as an absent one."""

    view: str = ""
    status: Annotated[str, one_of((*inbox_views.STATUSES, "any"))] = "open"
    channel: Annotated[str | None, one_of(tuple(IDENTITY_FOR_CHANNEL))] = None
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_LABEL)] = ""
    priority: Annotated[str | None, one_of(inbox_views.PRIORITIES)] = None
    sort: Annotated[str, one_of(inbox_views.SORTS)] = "recent"
    assignee: Annotated[str | None, AfterValidator(_assignee_filter)] = None
    department: OptionalId = None
    limit: WholeNumber | None = Field(None, ge=1, le=200)
    before: Annotated[tuple[datetime, ObjectId], BeforeValidator(_cursor)] | None = None

    field_messages = {
        "status": "unknown status: use open, pending, snoozed, resolved or any",
        "channel": f"unknown channel: use {', '.join(IDENTITY_FOR_CHANNEL)}",
        "label": f"a label is at most {MAX_LABEL} characters",
        "priority": f"unknown priority: use {', '.join(inbox_views.PRIORITIES)}",
        "sort": "sort must be 'recent' (last activity) or 'waiting' (longest waiting first)",
        "department": "department must be a department id",
    }


def list_request(q: Mapping[str, str], user: Doc, default_limit: int = 50, default_view: str = "all"
                 ) -> ListRequest:
    """Read a list's view, filters, sort and cursor from a query string; BadInput with the reason.

    Without a view the API lists everything the user may see ("all"; for agents that is their
    departments and their own), as it always did; the inbox page opens agents on "mine".
    """
    query = parse_mapping({k: q[k] for k in q if q[k] != ""}, ListQuery)  # q[k]: a repeated one's first
    view = query.view or default_view
    if query.department is not None:  # the API's earlier filter: the same as that department's view
        view = f"dept:{query.department}"
    assignee: ObjectId | str | None = user["_id"] if query.assignee == "me" else oid(
        query.assignee) if query.assignee not in (None, "none") else query.assignee
    filters = inbox_views.Filters(status=None if query.status == "any" else query.status, channel=query.channel,
                                  label=query.label or None, assignee=assignee, priority=query.priority,
                                  sort=query.sort)
    return ListRequest(view, filters, query.before, query.limit or default_limit)


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


class SearchQuery(RequestModel):
    q: str = ""

    @field_validator("q")
    @classmethod
    def _searchable(cls, value: str) -> str:
        if not search.query_pattern(value):
            raise ValueError("'q' is required: a name, phone, email or words from a message")
        return value


@routes.get("/api/v1/search")
async def search_everything(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    q = parse_query(request, SearchQuery).q
    found = await search.conversations_matching(hub.db, q, conversations.visibility_filter(user))
    people = await search.contacts_matching(hub.db, q)
    return json_response({"conversations": [present.conversation(c) for c in found],
                          "contacts": [present.contact(c) for c in people]})


# --- bulk actions -----------------------------------------------------------------------------------------


def _conversation_ids(value: object) -> list[str]:
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, list) or not raw or not all(isinstance(i, str) for i in raw):
        raise ValueError("'ids' must be a list of conversation ids (select at least one)")
    if len(raw) > MAX_BULK:
        raise ValueError(f"at most {MAX_BULK} conversations at once; you selected {len(raw)}")
    return list(dict.fromkeys(raw))


class BulkBody(RequestModel):
    ids: Annotated[list[str], PlainValidator(_conversation_ids)]
    action: Annotated[str, one_of(("assign", "resolve", "status", "transfer"))]
    note: Note = ""
    assignee_id: object = "me"  # "me", "none" or a user id, looked up in _assignee
    status: str | None = None  # required for "status"
    department_id: str | None = None  # required for "transfer"

    field_messages = {"ids": "'ids' must be a list of conversation ids (select at least one)",
                      "action": "'action' must be assign, resolve, status or transfer"}


async def _assignee(hub: Hub, user: Doc, raw: object) -> Doc | None:
    if raw in (None, "", "none"):
        return None
    if raw == "me":
        return user
    assignee_id = oid(raw)
    assignee = await users.user(hub.db, assignee_id) if assignee_id else None
    if assignee is None:
        raise BadInput("assignee_id is not a known user", field="assignee_id")
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
    raw_body = await read_body(request)
    if request.content_type != "application/json" and "ids" in raw_body:  # a form repeats "ids"
        raw_body["ids"] = [v for v in (await read_form(request)).getall("ids", []) if isinstance(v, str)]
    body = parse_mapping(raw_body, BulkBody)
    ids, action, note = body.ids, body.action, body.note
    assignee: Doc | None = None
    department: Doc | None = None
    status = "resolved" if action == "resolve" else body.status
    if action == "assign":
        assignee = await _assignee(hub, user, body.assignee_id)
    elif action == "status" and status not in inbox_views.STATUSES:
        raise BadInput("status must be one of open, pending, snoozed, resolved", field="status")
    elif action == "transfer":
        require_role(request, "admin", "lead")
        raw = (body.department_id or "").strip()
        if not raw:
            raise BadInput("'department_id' is required to transfer", field="department_id")
        department = (await runtime(hub).config()).department_for(raw)
        if department is None:
            raise BadInput(f"no department {raw!r}", field="department_id")
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
