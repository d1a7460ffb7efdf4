"""Canned responses: admins and leads manage them; agents list and render them for a conversation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from aiohttp import web
from pydantic import AfterValidator, PlainValidator, StringConstraints

from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions.access import visible_conversation
from hub.actions.composer import canned_environment, check_template, render_canned, template_values
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound
from hub.http.request_models import RequestModel, parse_body, parse_query
from hub.http.web import json_response
from hub.store import canned, contacts
from hub.store.db import Doc, oid

routes = web.RouteTableDef()
MAX_BODY = 5000
SHORTCUT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _present(doc: Doc) -> dict[str, Any]:
    return {"id": doc["_id"], "shortcut": doc["shortcut"], "title": doc["title"], "body": doc["body"],
            "updated_at": doc.get("updated_at")}


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


class NewCanned(RequestModel):
    shortcut: Shortcut
    title: Title
    body: Body

    field_messages = {"title": "'title' is required and must be text (at most 200 characters)",
                      "body": f"'body' is required and must be text (at most {MAX_BODY} characters)"}


class CannedChange(RequestModel):
    """Only the fields sent change (`model_fields_set`)."""

    shortcut: Shortcut = ""
    title: Title = ""
    body: Body = ""

    field_messages = NewCanned.field_messages

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CannedQuery(RequestModel):
    q: Annotated[str, StringConstraints(max_length=200)] = ""


@routes.get("/api/v1/canned")
async def list_canned(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    current_user(request)
    found = await canned.search(hub.db, parse_query(request, CannedQuery).q.strip().lstrip("/").lower())
    return json_response({"canned": [_present(d) for d in found]})


@routes.post("/api/v1/canned")
async def create_canned(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], require_role(request, "admin", "lead")
    new = await parse_body(request, NewCanned)
    try:
        doc = await canned.create(hub.db, new.shortcut, new.title, new.body, user["_id"], utcnow())
    except canned.ShortcutTaken:
        raise Conflict(f"the shortcut /{new.shortcut} is taken; pick another") from None
    return json_response(_present(doc), status=201)


async def _existing(request: web.Request) -> Doc:
    canned_id = oid(request.match_info["canned_id"])
    doc = await canned.get(request.app[keys.HUB].db, canned_id) if canned_id else None
    if doc is None:
        raise NotFound("canned response not found")
    return doc


@routes.patch("/api/v1/canned/{canned_id}")
async def update_canned(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    require_role(request, "admin", "lead")
    doc = await _existing(request)
    fields = (await parse_body(request, CannedChange)).fields()
    try:
        updated = await canned.update(hub.db, doc["_id"], fields, utcnow())
    except canned.ShortcutTaken:
        raise Conflict(f"the shortcut /{fields.get('shortcut')} is taken; pick another") from None
    return json_response(_present(updated or doc))


@routes.delete("/api/v1/canned/{canned_id}")
async def delete_canned(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    require_role(request, "admin", "lead")
    doc = await _existing(request)
    await canned.delete(hub.db, doc["_id"])
    return json_response({"deleted": doc["_id"]})


@routes.post("/api/v1/conversations/{id}/canned/{canned_id}")
async def render_for_conversation(request: web.Request) -> web.Response:
    """The canned response filled in for this conversation's contact, ready for the composer."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    doc = await _existing(request)
    contact: Mapping[str, Any] = await contacts.get(hub.db, conversation["contact_id"]) or {}
    text = render_canned(canned_environment(), doc["body"], template_values(contact, user, conversation),
                         hub.settings.max_text_bytes)
    return json_response({"text": text, "shortcut": doc["shortcut"]})
