"""JSON API for the conversation page: replies that can be held, labels, priority, snooze, presence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Annotated, Any

from aiohttp import web
from bson import ObjectId
from pydantic import AfterValidator, BeforeValidator, PlainValidator, StringConstraints

from hub import keys
from hub import names as model
from hub.access.auth import current_user
from hub.actions import notifications as centre
from hub.actions import presenters as present
from hub.actions.access import visible_conversation
from hub.actions.composer import reply_channels
from hub.actions.presence import viewer_payload
from hub.clock import utcnow
from hub.errors import BadInput
from hub.http.params import parse_datetime
from hub.http.request_models import (
    Flag,
    OptionalId,
    RequestModel,
    TextList,
    comma_list,
    distinct_names,
    parse_body,
    parse_mapping,
    parse_query,
)
from hub.http.web import json_response
from hub.outbound import attachments as uploads
from hub.outbound import replies as outbox
from hub.runtime import Hub
from hub.store import contacts, conversations, messages, users, viewers
from hub.store import conversation_meta as meta
from hub.store.db import Doc, oid
from routing.model import PRIORITIES, Priority

routes = web.RouteTableDef()

VIEWING_SECONDS = 45.0
TYPING_SECONDS = 6.0
MAX_LABELS, MAX_LABEL_CHARS = 20, 40


UNTIL_REQUIRED = "'until' is required: a date and time such as 2026-11-20T09:00 (UTC unless an offset is given)"


def _mention(value: object) -> ObjectId:
    parsed = oid(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"'mentions' holds {str(value)[:40]!r}, which is not a user id")
    return parsed


def _dedupe(ids: list[ObjectId]) -> list[ObjectId]:
    return list(dict.fromkeys(ids))


Mention = Annotated[ObjectId, PlainValidator(_mention)]


class ReplyOptions(RequestModel):
    """What the reply endpoint reads besides the text, note, channel and files (hub/uploads.py reads those)."""

    force: Flag = False
    mentions: Annotated[list[Mention], BeforeValidator(comma_list), AfterValidator(_dedupe)] = []
    last_seen_id: OptionalId = None

    field_messages = {"mentions": "'mentions' must be a list of user ids",
                      "last_seen_id": "last_seen_id must be a message id"}


def _labels(items: list[str]) -> list[str]:
    return distinct_names(items, most=MAX_LABELS, longest=MAX_LABEL_CHARS, what="label", per="per conversation")


class LabelsBody(RequestModel):
    labels: Annotated[TextList, AfterValidator(_labels)] = []

    field_messages = {"labels": "'labels' must be a list of strings or a comma-separated string"}


class PriorityBody(RequestModel):
    priority: Priority

    field_messages = {"priority": f"priority must be one of {', '.join(PRIORITIES)}"}


def _until(value: object) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(UNTIL_REQUIRED)
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"'until' is not a date and time: {value[:40]!r}")
    return moment


class SnoozeBody(RequestModel):
    until: Annotated[datetime, PlainValidator(_until)]

    field_messages = {"until": UNTIL_REQUIRED}


class PresenceBody(RequestModel):
    left: Flag = False
    typing: Flag = False


class MentionableQuery(RequestModel):
    q: Annotated[str, StringConstraints(max_length=200)] = ""


async def _mentioned(hub: Hub, conversation: Mapping[str, Any], ids: list[ObjectId]) -> list[Doc]:
    found = await users.user_map(hub.db, ids)
    for user_id in ids:
        person = found.get(user_id)
        if person is None:
            raise BadInput(f"mention {user_id} is not a known user", field="mentions")
        if not conversations.can_see(person, conversation):
            raise BadInput(f"{person.get('name')} cannot see this conversation (not in its department), "
                           "so a mention would not reach them; ask a team lead to transfer it", field="mentions")
    return [found[i] for i in ids]


@routes.post("/api/v1/conversations/{id}/reply")
async def reply(request: web.Request) -> web.Response:
    """Reply or note from the inbox; with `last_seen_id`, a reply is held (409) if something newer came in."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body, files = await uploads.read_reply_form(request, hub.settings.max_attachment_bytes)
    options = parse_mapping(body, ReplyOptions)
    fields = uploads.reply_fields(body, bool(files))
    note = fields.note
    mentioned = await _mentioned(hub, conversation, options.mentions) if note else []
    if options.last_seen_id is not None and not note and not options.force:
        try:
            await outbox.check_not_stale(hub, user, conversation, options.last_seen_id)
        except outbox.ReplyHeld as held:
            return json_response({"error": held.message, "status": 409, "held": True,
                                  "newer": [present.message(m) for m in held.newer]}, status=409)
    message, created = await uploads.post(hub, user, conversation, fields.text, files, note=note,
                                          channel=fields.channel, client_key=fields.client_key,
                                          extras=fields.extras, mentions=[p["_id"] for p in mentioned] or None,
                                          cc=fields.cc, bcc=fields.bcc)
    if created and mentioned:
        await centre.mentioned(hub, user, conversation, message, mentioned)
    return json_response({"message": present.message(message), "created": created}, status=201 if created else 200)


@routes.get("/api/v1/conversations/{id}/channels")
async def channels(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    contact: Mapping[str, Any] = await contacts.get(hub.db, conversation["contact_id"]) or {}
    return json_response({"channels": reply_channels(hub, conversation, contact, utcnow())})


@routes.get("/api/v1/conversations/{id}/mentionable")
async def mentionable(request: web.Request) -> web.Response:
    """People who can see this conversation, for the @mention picker (name prefix, any script)."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    q = parse_query(request, MentionableQuery).q.casefold()
    people = [p for p in await users.users(hub.db) if conversations.can_see(p, conversation)
              and (not q or str(p.get("name", "")).casefold().startswith(q) or any(
                  part.startswith(q) for part in str(p.get("name", "")).casefold().split()))]
    return json_response({"users": [{"id": p["_id"], "name": p.get("name"), "role": p.get("role")}
                                    for p in people[:20]]})


class LabelsQuery(RequestModel):
    q: Annotated[str, StringConstraints(max_length=MAX_LABEL_CHARS)] = ""

    field_messages = {"q": f"'q' is the start of a label: at most {MAX_LABEL_CHARS} characters"}


@routes.get("/api/v1/labels")
async def labels_in_use(request: web.Request) -> web.Response:
    """Labels already in use on conversations the caller may see, for the label picker's suggestions."""
    hub, user = request.app[keys.HUB], current_user(request)
    prefix = parse_query(request, LabelsQuery).q.strip()
    return json_response({"labels": await meta.labels_in_use(hub.db, user, prefix)})


@routes.post("/api/v1/conversations/{id}/labels")
async def set_labels(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    labels = (await parse_body(request, LabelsBody)).labels
    updated = await meta.set_labels(hub.db, conversation["_id"], labels, utcnow())
    return json_response(present.conversation(updated or conversation))


@routes.post("/api/v1/conversations/{id}/priority")
async def set_priority(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    priority = (await parse_body(request, PriorityBody)).priority
    now = utcnow()
    updated = await meta.set_priority(hub.db, conversation["_id"], priority, now)
    if conversation.get("priority") != priority:
        await messages.insert_event(hub.db, conversation, f"{user.get('name')} set the priority to {priority}.",
                                    {"type": "priority", "priority": priority, "by": user["_id"]}, now,
                                    author=model.agent_author(user))
    return json_response(present.conversation(updated or conversation))


def _check_until(until: datetime, now: datetime) -> datetime:
    """The bounds that depend on the clock (the syntax is SnoozeBody's)."""
    if until <= now:
        raise BadInput("'until' is in the past; pick a later time", field="until")
    if until > now + timedelta(days=366):
        raise BadInput("a conversation can be snoozed for at most a year", field="until")
    return until


@routes.post("/api/v1/conversations/{id}/snooze")
async def snooze(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    now = utcnow()
    until = _check_until((await parse_body(request, SnoozeBody)).until, now)
    updated = await meta.snooze(hub.db, conversation["_id"], until, now)
    if updated is None:
        raise BadInput("a resolved conversation cannot be snoozed; reopen it first")
    await messages.insert_event(
        hub.db, updated, f"{user.get('name')} snoozed this until {until.strftime('%Y-%m-%d %H:%M UTC')}.",
        {"type": "status", "status": "snoozed", "until": until, "by": user["_id"]}, now,
        author=model.agent_author(user))
    return json_response({**present.conversation(updated), "snoozed_until": until})


@routes.post("/api/v1/conversations/{id}/presence")
async def presence(request: web.Request) -> web.Response:
    """A viewing heartbeat, a typing ping, or leaving; every agent on the conversation hears it live."""
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body = await parse_body(request, PresenceBody)
    now = utcnow()
    if body.left:
        await viewers.leave(hub.db, conversation["_id"], user["_id"], now)
    else:
        typing_until = now + timedelta(seconds=TYPING_SECONDS) if body.typing else None
        await viewers.beat(hub.db, conversation["_id"], user, now, timedelta(seconds=VIEWING_SECONDS), typing_until)
    return await _viewers_response(hub, conversation["_id"], now)


@routes.get("/api/v1/conversations/{id}/presence")
async def who_is_here(request: web.Request) -> web.Response:
    hub, user = request.app[keys.HUB], current_user(request)
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    return await _viewers_response(hub, conversation["_id"], utcnow())


async def _viewers_response(hub: Hub, conversation_id: ObjectId, now: datetime) -> web.Response:
    return json_response({"now": now, "viewers": [viewer_payload(v) for v in await viewers.current(
        hub.db, conversation_id, now)]})
