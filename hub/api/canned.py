"""Canned responses: admins and leads manage them; agents list and render them for a conversation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions.composer import canned_environment, check_template, render_canned, template_values
from hub.api.v1 import visible_conversation
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound
from hub.http.web import json_response, read_body
from hub.store import canned, contacts
from hub.store.db import Doc, oid

routes = web.RouteTableDef()
MAX_BODY = 5000
SHORTCUT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


def _present(doc: Doc) -> dict[str, Any]:
    return {"id": doc["_id"], "shortcut": doc["shortcut"], "title": doc["title"], "body": doc["body"],
            "updated_at": doc.get("updated_at")}


def _fields(body: dict[str, Any], partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "shortcut" in body or not partial:
        shortcut = body.get("shortcut")
        if not isinstance(shortcut, str) or not shortcut.strip():
            raise BadInput("'shortcut' is required: a short word such as 'refund' (typed as /refund)")
        shortcut = shortcut.strip().lstrip("/").lower()
        if len(shortcut) > 40 or not set(shortcut) <= SHORTCUT_CHARS:
            raise BadInput("a shortcut uses up to 40 of a-z, 0-9, '-' and '_'")
        fields["shortcut"] = shortcut
    for name, limit in (("title", 200), ("body", MAX_BODY)):
        if name in body or not partial:
            value = body.get(name)
            if not isinstance(value, str) or not value.strip():
                raise BadInput(f"'{name}' is required and must be text")
            if len(value) > limit:
                raise BadInput(f"'{name}' may have at most {limit} characters")
            fields[name] = value.strip()
    if "body" in fields:
        check_template(canned_environment(), fields["body"])
    return fields


@routes.get("/api/v1/canned")
async def list_canned(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    current_user(request)
    found = await canned.search(hub.db, request.query.get("q", "").strip().lstrip("/").lower())
    return json_response({"canned": [_present(d) for d in found]})


@routes.post("/api/v1/canned")
async def create_canned(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], require_role(request, "admin", "lead")
    fields = _fields(await read_body(request), partial=False)
    try:
        doc = await canned.create(hub.db, fields["shortcut"], fields["title"], fields["body"], user["_id"], utcnow())
    except canned.ShortcutTaken:
        raise Conflict(f"the shortcut /{fields['shortcut']} is taken; pick another") from None
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
    fields = _fields(await read_body(request), partial=True)
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
    contact = await contacts.get(hub.db, conversation["contact_id"]) or {}
    text = render_canned(canned_environment(), doc["body"], template_values(contact, user, conversation),
                         hub.settings.max_text_bytes)
    return json_response({"text": text, "shortcut": doc["shortcut"]})
