"""JSON API for contacts: profiles, custom attributes (and their admin-defined fields), tags, merge and undo."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import AfterValidator, StringConstraints

from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions import presenters as present
from hub.actions.access import contact_or_404
from hub.actions.contacts import merge_pair, present_field, present_preview, profile
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound
from hub.http.request_models import Flag, RequestModel, TextList, distinct_names, parse_body, parse_query
from hub.http.web import json_response, read_body
from hub.store import contact_merges, contacts, custom_fields
from hub.store.db import Doc, oid

routes = web.RouteTableDef()
MAX_TAGS = 50
MAX_TAG = 60
TAGS_SENTENCE = "'tags' must be a list of text, or text separated by commas"


def _tags(values: list[str]) -> list[str]:
    return distinct_names(values, most=MAX_TAGS, longest=MAX_TAG, what="tag", per="per contact")


class TagsBody(RequestModel):
    tags: Annotated[TextList, AfterValidator(_tags)]

    field_messages = {"tags": TAGS_SENTENCE}


class MergeQuery(RequestModel):
    into: Annotated[str, StringConstraints(min_length=1)]

    field_messages = {"into": "say which contact to merge into: ?into=<contact id>"}


class MergeBody(RequestModel):
    source_id: str = ""  # the ids are looked up, with the same 404 for a malformed and an unknown one
    target_id: str = ""
    confirm_conflicts: Flag = False


@routes.get("/api/v1/contacts/{id}")
async def get_contact(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    contact = await contact_or_404(hub, request.match_info["id"])
    data = await profile(hub, user, contact)
    return json_response({**present.contact(contact),
                          "conversations": [present.conversation(c) for c in data["conversations"]],
                          "duplicates": [{**present.contact(d["contact"]), "conflicts": d["conflicts"]}
                                         for d in data["duplicates"]],
                          "merges": [contact_merges.summary(m) for m in data["merges"]]})


@routes.post("/api/v1/contacts/{id}/attributes")
async def set_attributes(request: web.Request) -> web.Response:
    """Values for admin-defined fields, by key; an empty value clears one. All or nothing."""
    hub = request.app[keys.HUB]
    current_user(request)
    contact = await contact_or_404(hub, request.match_info["id"])
    body = {k: v for k, v in (await read_body(request)).items() if k != "_csrf"}
    fields = {f["key"]: f for f in await custom_fields.all_fields(hub.db)}
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise BadInput(f"no custom field {unknown[0]!r}; an admin defines fields first", field=unknown[0])
    values: Doc = {}
    cleared: list[str] = []
    problems: list[dict[str, str]] = []
    for key, raw in body.items():
        try:
            value = custom_fields.coerce(fields[key], raw)
        except custom_fields.FieldError as exc:
            problems.append({"field": key, "reason": str(exc)})
            continue
        if value is None:
            cleared.append(key)
        else:
            values[key] = value
    if problems:
        raise BadInput("; ".join(p["reason"] for p in problems), field=problems[0]["field"], fields=problems)
    updated = await contacts.set_attributes(hub.db, contact["_id"], values, cleared, utcnow())
    if updated is None:
        raise NotFound("contact not found")
    return json_response(present.contact(updated))


@routes.post("/api/v1/contacts/{id}/tags")
async def set_tags(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    current_user(request)
    contact = await contact_or_404(hub, request.match_info["id"])
    tags = (await parse_body(request, TagsBody)).tags
    updated = await contacts.set_tags(hub.db, contact["_id"], tags, utcnow())
    if updated is None:
        raise NotFound("contact not found")
    return json_response(present.contact(updated))


@routes.get("/api/v1/contacts/{id}/merge-preview")
async def merge_preview(request: web.Request) -> web.Response:
    """What merging this contact into `into` would move and what conflicts, before anything changes."""
    require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    into = parse_query(request, MergeQuery).into
    source, target = await merge_pair(hub, request.match_info["id"], into)
    return json_response(present_preview(await contact_merges.plan(hub.db, source, target)))


@routes.post("/api/v1/contacts/merge")
async def merge(request: web.Request) -> web.Response:
    """A lead folds one contact into another; identities or names that conflict need an explicit confirmation."""
    user = require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    body = await parse_body(request, MergeBody)
    source, target = await merge_pair(hub, body.source_id, body.target_id)
    # Different names and two open conversations are shown in the preview; different identities of one
    # kind (two phones, two emails) may be two people, so they need an explicit confirmation.
    conflicts = contact_merges.identity_conflicts(source, target)
    if conflicts and not body.confirm_conflicts:
        raise Conflict(f"these contacts have different {' and '.join(conflicts)} identities: they may be two people. "
                       "Check, then merge again with confirm_conflicts.")
    record = await contact_merges.move_into(hub.db, source["_id"], target["_id"], utcnow(), by=user["_id"])
    if record is None:
        raise Conflict("nothing was merged: the contact changed meanwhile; reload and try again")
    return json_response(contact_merges.summary(record), status=201)


@routes.post("/api/v1/contact-merges/{id}/undo")
async def undo_merge(request: web.Request) -> web.Response:
    user = require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    merge_id = oid(request.match_info["id"])
    if merge_id is None or await contact_merges.get(hub.db, merge_id) is None:
        raise NotFound("merge not found")
    try:
        record = await contact_merges.undo(hub.db, merge_id, utcnow(), by=user["_id"])
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    return json_response(contact_merges.summary(record))


# --- custom fields (admins define, everyone reads) ----------------------------------------------------------


@routes.get("/api/v1/custom-fields")
async def list_fields(request: web.Request) -> web.Response:
    current_user(request)
    fields = await custom_fields.all_fields(request.app[keys.HUB].db)
    return json_response({"fields": [present_field(f) for f in fields]})


@routes.post("/api/v1/custom-fields")
async def define_field(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    try:
        definition = custom_fields.check_definition(await read_body(request))
        field = await custom_fields.define(hub.db, definition, utcnow())
    except custom_fields.FieldError as exc:
        raise BadInput(str(exc)) from None
    return json_response(present_field(field), status=201)


@routes.delete("/api/v1/custom-fields/{key}")
async def remove_field(request: web.Request) -> web.Response:
    require_role(request, "admin")
    if not await custom_fields.remove(request.app[keys.HUB].db, request.match_info["key"]):
        raise NotFound("no such custom field")
    return json_response({"removed": request.match_info["key"]})
