"""Canned responses: everyone keeps personal ones; admins and leads manage shared and department ones.

The rules of who may use and change which are hub/actions/canned.py's, shared with the pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import AfterValidator, PlainValidator, StringConstraints

from hub import keys
from hub.access.auth import current_user
from hub.actions import canned as canned_actions
from hub.actions.access import visible_conversation
from hub.actions.composer import canned_environment, check_template
from hub.errors import BadInput
from hub.http.request_models import OptionalId, RequestModel, one_of, parse_body, parse_query
from hub.http.web import json_response

routes = web.RouteTableDef()
MAX_BODY = 5000
SHORTCUT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
SCOPES = ("shared", "personal", "department")


def _shortcut(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'shortcut' is required: a short word such as 'refund' (typed as /refund)")
    shortcut = value.strip().lstrip("/").lower()
    if len(shortcut) > 40 or not set(shortcut) <= SHORTCUT_CHARS:
        raise ValueError("a shortcut uses up to 40 of a-z, 0-9, '-' and '_'")
    return shortcut


def _template(value: str) -> str:
    try:
        check_template(canned_environment(), value)
    except BadInput as exc:  # the line that does not parse, as the 400's reason for 'body'
        raise ValueError(exc.message) from None
    return value


Shortcut = Annotated[str, PlainValidator(_shortcut)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY),
                 AfterValidator(_template)]
Scope = Annotated[str, one_of(SCOPES)]


class NewCanned(RequestModel):
    """`scope` "shared", "personal", or "department" with `department_id`; without one, a `department_id`
    means that department's and none means shared (as every canned response was before scopes)."""

    shortcut: Shortcut
    title: Title
    body: Body
    scope: Scope = ""
    department_id: OptionalId = None

    field_messages = {"title": "'title' is required and must be text (at most 200 characters)",
                      "body": f"'body' is required and must be text (at most {MAX_BODY} characters)"}


class CannedChange(RequestModel):
    """Only the fields sent change (`model_fields_set`)."""

    shortcut: Shortcut = ""
    title: Title = ""
    body: Body = ""
    scope: Scope = ""
    department_id: OptionalId = None

    field_messages = NewCanned.field_messages

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CannedQuery(RequestModel):
    q: Annotated[str, StringConstraints(max_length=200)] = ""


@routes.get("/api/v1/canned")
async def list_canned(request: web.Request) -> web.Response:
    """What the caller may insert: their own first, then their departments' and the shared ones."""
    hub, user = request.app[keys.HUB], current_user(request)
    prefix = parse_query(request, CannedQuery).q.strip().lstrip("/").lower()
    found = await canned_actions.usable(hub, user, prefix)
    names = await canned_actions.department_names(hub) if any(d.get("department_id") for d in found) else {}
    return json_response({"canned": [canned_actions.present(d, names) for d in found],
                          "variables": list(canned_actions.VARIABLES)})


@routes.post("/api/v1/canned")
async def create_canned(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    new = await parse_body(request, NewCanned)
    scope = new.scope or ("department" if new.department_id else "shared")
    doc = await canned_actions.create(hub, user, new.shortcut, new.title, new.body, scope, new.department_id)
    return json_response(canned_actions.present(doc), status=201)


@routes.patch("/api/v1/canned/{canned_id}")
async def update_canned(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    doc = await canned_actions.manageable_one(hub, user, request.match_info["canned_id"])
    fields = (await parse_body(request, CannedChange)).fields()
    return json_response(canned_actions.present(await canned_actions.change(hub, user, doc, fields)))


@routes.delete("/api/v1/canned/{canned_id}")
async def delete_canned(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    doc = await canned_actions.manageable_one(hub, user, request.match_info["canned_id"])
    await canned_actions.remove(hub, doc)
    return json_response({"deleted": doc["_id"]})


@routes.post("/api/v1/conversations/{id}/canned/{canned_id}")
async def render_for_conversation(request: web.Request) -> web.Response:
    """The canned response filled in for this conversation's contact: the composer's preview and insert."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    doc = await canned_actions.usable_one(hub, user, request.match_info["canned_id"])
    text = await canned_actions.render_for(hub, user, conversation, doc)
    return json_response({"text": text, "shortcut": doc["shortcut"]})
