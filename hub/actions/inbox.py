"""The inbox lists the API and the pages share: a list request, its page, the team's load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from bson import ObjectId
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from hub import channel_catalog
from hub import names as model
from hub.clock import utcnow
from hub.errors import BadInput, Forbidden
from hub.http.request_models import OptionalId, RequestModel, WholeNumber, one_of, parse_mapping
from hub.runtime import Hub
from hub.store import agents, inbox_views, users
from hub.store.db import Doc, oid

MAX_LABEL = 100
# What a list may be filtered by: a conversation status, or any of them.
LIST_STATUSES = (*model.CONVERSATION_STATUSES, "any")


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


def _known_channel(value: str | None) -> str | None:
    # Asked when a query is read, not at import: the catalogue imports the plugins, which import the hub.
    if value is not None and value not in channel_catalog.names():
        raise ValueError(f"unknown channel: use {', '.join(channel_catalog.names())}")
    return value


class ListQuery(RequestModel):
    """A list's view, filters, sort and cursor; an empty parameter is the same as an absent one."""

    view: str = ""
    status: Annotated[str, one_of(LIST_STATUSES)] = "open"
    channel: Annotated[str | None, AfterValidator(_known_channel)] = None
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_LABEL)] = ""
    priority: Annotated[str | None, one_of(inbox_views.PRIORITIES)] = None
    sort: Annotated[str, one_of(inbox_views.SORTS)] = "recent"
    assignee: Annotated[str | None, AfterValidator(_assignee_filter)] = None
    department: OptionalId = None
    limit: WholeNumber | None = Field(None, ge=1, le=200)
    before: Annotated[tuple[datetime, ObjectId], BeforeValidator(_cursor)] | None = None

    field_messages = {
        "status": f"unknown status: use {', '.join(model.CONVERSATION_STATUSES)} or any",
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


