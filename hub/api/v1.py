"""JSON API v1: what the inbox's actions go through, and what integrations call with a token."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from hub import keys
from hub import names as model
from hub.access.auth import current_user
from hub.actions import presenters as present
from hub.actions.access import visible_conversation, visible_message
from hub.actions.contacts import find_by_identity as find_contacts_by_identity
from hub.actions.conversations import STATUS_SENTENCE, change_status, resolve_assignee
from hub.actions.conversations import assign as assign_conversation
from hub.assign import moves as routing_moves
from hub.errors import BadInput
from hub.http.request_models import RequestModel, one_of, parse_body, parse_query
from hub.http.web import json_response
from hub.outbound import attachments as uploads
from hub.outbound import replies as outbox
from hub.store import contacts, messages

routes = web.RouteTableDef()


class AssignBody(RequestModel):
    assignee_id: str | None = "me"  # "me", "none" (or empty) or a user id; the id is looked up below
    note: routing_moves.Note = ""

    field_messages = {"assignee_id": "assignee_id is not a known user"}


class StatusBody(RequestModel):
    status: Annotated[str, one_of(model.CONVERSATION_STATUSES)]

    field_messages = {"status": STATUS_SENTENCE}


class IdentityQuery(RequestModel):
    identity: str = Field(pattern=r"^[^:]+:.+$")

    field_messages = {"identity": "identity must look like KIND:VALUE, e.g. email:ana@example.com"}


@routes.get("/api/v1/conversations/{id}")
async def get_conversation(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    contact = await contacts.get(hub.db, conversation["contact_id"])
    return json_response({**present.conversation(conversation),
                          "contact": present.contact(contact) if contact else None})


@routes.get("/api/v1/conversations/{id}/messages")
async def list_messages(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    timeline = await messages.timeline(hub.db, conversation["_id"])
    return json_response({"messages": [present.message(m) for m in timeline]})


@routes.post("/api/v1/conversations/{id}/messages")
async def post_message(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body, files = await uploads.read_reply_form(request, hub.settings.max_attachment_bytes)
    fields = uploads.reply_fields(body, bool(files))
    message, created = await uploads.post(hub, user, conversation, fields.text, files, note=fields.note,
                                          channel=fields.channel, client_key=fields.client_key, extras=fields.extras,
                                          cc=fields.cc, bcc=fields.bcc)
    return json_response({"message": present.message(message), "created": created}, status=201 if created else 200)


@routes.post("/api/v1/conversations/{id}/assign")
async def assign(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body = await parse_body(request, AssignBody)
    assignee = await resolve_assignee(hub, user, body.assignee_id)
    updated = await assign_conversation(hub, user, conversation, assignee, body.note)
    return json_response(present.conversation(updated))


@routes.post("/api/v1/conversations/{id}/status")
async def set_status(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body = await parse_body(request, StatusBody)
    return json_response(present.conversation(await change_status(hub, user, conversation, body.status)))


@routes.post("/api/v1/messages/{id}/retry")
async def retry_message(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    message = await visible_message(hub, user, request.match_info["id"])
    retried = await outbox.retry(hub, message["_id"])
    if retried is None:
        raise BadInput("only a failed reply can be sent again")
    return json_response({"message": present.message(retried)})


@routes.get("/api/v1/contacts")
async def find_contacts(request: web.Request) -> web.Response:
    hub = request.app[keys.HUB]
    current_user(request)
    kind, _, value = parse_query(request, IdentityQuery).identity.partition(":")
    found = await find_contacts_by_identity(hub, kind, value)
    return json_response({"contacts": [present.contact(c) for c in found]})
