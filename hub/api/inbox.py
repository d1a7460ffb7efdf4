"""JSON API for the inbox's lists: views with filters and keyset pages, search, bulk actions, the team,
and what the requesting agent has not read."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import PlainValidator, field_validator

from hub import keys
from hub import names as model
from hub.access.auth import current_user, require_role
from hub.actions import presenters as present
from hub.actions import read_state
from hub.actions.access import visible_conversation
from hub.actions.conversations import STATUS_SENTENCE, assign, change_status, resolve_assignee
from hub.actions.inbox import list_page, list_request, team_rows
from hub.assign import moves as routing_moves
from hub.assign.moves import Note
from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.errors import BadInput, HubError
from hub.http.request_models import OptionalId, RequestModel, one_of, parse_body, parse_query
from hub.http.web import json_response
from hub.runtime import Hub
from hub.store import conversations, inbox_views, search
from hub.store import departments as department_store
from hub.store.db import Doc
from hub.store.documents import Conversation

routes = web.RouteTableDef()
MAX_BULK = 200


@routes.get("/api/v1/conversations")
async def list_conversations(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    wanted = list_request(request.query, user)
    page, cursor = await list_page(hub, user, wanted)
    body: dict[str, Any] = {"conversations": await _with_unread(hub, user, page), "next": cursor}
    if request.query.get("counts") in ("1", "true"):
        views = [key for key, _ in inbox_views.view_names(user, await department_store.all_departments(hub.db))]
        body["counts"], body["unread_counts"] = await inbox_views.counts_with_unread(
            hub.db, user, views, wanted.filters.status, hub.events.tally)
    return json_response(body)


async def _with_unread(hub: Hub, user: Doc, rows: list[Doc]) -> list[dict[str, Any]]:
    """The rows as the API shows them, each with `unread` for the requesting user (one read of marks)."""
    unread = await read_state.unread_among(hub, user, rows)
    return [{**present.conversation(c), "unread": c["_id"] in unread} for c in rows]


class ReadBody(RequestModel):
    message_id: OptionalId = None

    field_messages = {"message_id": "'message_id' must be the id of a message in this conversation"}


@routes.post("/api/v1/conversations/{id}/read")
async def mark_read(request: web.Request) -> web.Response:
    """The agent has seen the conversation up to `message_id` (or all of it): bold no more, for them alone."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body = await parse_body(request, ReadBody)
    still_unread = await read_state.mark_read(hub, user, conversation, body.message_id)
    return json_response({"id": conversation["_id"], "unread": still_unread})


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
    return json_response({"conversations": await _with_unread(hub, user, found),
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
    assignee_id: object = "me"  # "me", "none" or a user id, looked up by resolve_assignee
    status: str | None = None  # required for "status"
    department_id: str | None = None  # required for "transfer"

    field_messages = {"ids": "'ids' must be a list of conversation ids (select at least one)",
                      "action": "'action' must be assign, resolve, status or transfer"}


async def _status_one(hub: Hub, user: Doc, conversation: Conversation, status: str) -> Conversation:
    return await change_status(hub, user, conversation, status, bulk=True)


@routes.post("/api/v1/conversations/bulk")
async def bulk(request: web.Request) -> web.Response:
    """Apply one action to many conversations; each is checked on its own and gets its own result."""
    hub, user = request.app[keys.HUB], current_user(request)
    body = await parse_body(request, BulkBody)
    ids, action, note = body.ids, body.action, body.note
    assignee: Doc | None = None
    department: Doc | None = None
    status = "resolved" if action == "resolve" else body.status
    if action == "assign":
        assignee = await resolve_assignee(hub, user, body.assignee_id)
    elif action == "status" and status not in model.CONVERSATION_STATUSES:
        raise BadInput(STATUS_SENTENCE, field="status")
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
                updated = await assign(hub, user, conversation, assignee, note)
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


@routes.get("/api/v1/team")
async def team(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"agents": await team_rows(request.app[keys.HUB])})
