"""Admin JSON API: users and roles, creating departments, channel status, mailboxes.

Routing fields of users (capacity, skills, languages) and departments' routing settings have their own
endpoints in hub/routing_api.py; the admin pages use those.
"""

from __future__ import annotations

import re
from typing import Annotated

from aiohttp import web
from bson import ObjectId
from pydantic import BeforeValidator, PlainValidator, StringConstraints

from hub import keys
from hub import names as model
from hub.access import accounts
from hub.access.auth import require_role
from hub.actions.admin import channel_rows, present_user
from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound
from hub.http.request_models import RequestModel, TextList, one_of, parse_body
from hub.http.web import json_response
from hub.runtime import Hub
from hub.store import departments as department_store
from hub.store import user_admin, users
from hub.store.db import Doc, oid

routes = web.RouteTableDef()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _new_password(value: object) -> str:
    try:
        return accounts.checked_password(value)  # in the model, so its 400 lists it with the other fields
    except BadInput as exc:
        raise ValueError(exc.message) from None


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Role = Annotated[str, one_of(model.ROLES)]
NewPassword = Annotated[str, PlainValidator(_new_password)]
Email = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
                  StringConstraints(pattern=EMAIL_RE.pattern, max_length=320)]
ROLE_SENTENCE = f"role must be one of {', '.join(model.ROLES)}"
DEPARTMENT_IDS_SENTENCE = "'department_ids' must be a list of department ids"


class NewUser(RequestModel):
    email: Email
    name: Name
    password: NewPassword
    role: Role = "agent"
    department_ids: TextList = []

    field_messages = {"email": "'email' must be an email address like name@example.com", "role": ROLE_SENTENCE,
                      "department_ids": DEPARTMENT_IDS_SENTENCE}


class UserChange(RequestModel):
    """Only the fields sent change (`model_fields_set`); the defaults are never stored."""

    name: Name = ""
    role: Role = "agent"
    department_ids: TextList = []

    field_messages = {"role": ROLE_SENTENCE, "department_ids": DEPARTMENT_IDS_SENTENCE}


class PasswordReset(RequestModel):
    password: str | None = None  # its rules are accounts.reset's, shared with "change my password"


class NewDepartment(RequestModel):
    name: Name


async def _department_ids(hub: Hub, values: list[str]) -> list[ObjectId]:
    """The ids of known departments; a 400 naming the first that is not one (needs the database)."""
    known = {d["_id"] for d in await department_store.all_departments(hub.db)}
    ids: list[ObjectId] = []
    for value in (v.strip() for v in values):
        if not value:
            continue
        department = oid(value)
        if department is None or department not in known:
            raise BadInput(f"no department with id {value!r}", field="department_ids")
        ids.append(department)
    return ids


@routes.get("/api/v1/admin/users")
async def list_users(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"users": [present_user(u) for u in await users.users(request.app[keys.HUB].db)]})


@routes.post("/api/v1/admin/users")
async def create_user(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    body = await parse_body(request, NewUser)
    department_ids = await _department_ids(hub, body.department_ids)
    created = await accounts.create_user(hub.db, body.email, body.name, body.password, body.role, department_ids)
    runtime(hub).invalidate()
    return json_response(present_user(created), status=201)


async def _target(request: web.Request) -> Doc:
    hub = request.app[keys.HUB]
    user_id = oid(request.match_info["id"])
    found = await users.user(hub.db, user_id) if user_id else None
    if found is None:
        raise NotFound("user not found")
    return found


async def _keeps_an_admin(hub: Hub, target: Doc) -> None:
    if target.get("role") == "admin" and target.get("deactivated_at") is None and \
            await user_admin.active_admins(hub.db) <= 1:
        raise Conflict("this is the last active admin: make someone else admin first")


@routes.patch("/api/v1/admin/users/{id}")
async def update_user(request: web.Request) -> web.Response:
    me = require_role(request, "admin")
    hub = request.app[keys.HUB]
    target = await _target(request)
    body = await parse_body(request, UserChange)
    sent = body.model_fields_set
    fields: Doc = {}
    if "name" in sent:
        fields["name"] = body.name
    if "role" in sent:
        fields["role"] = body.role
        if body.role != "admin":
            if target["_id"] == me["_id"]:
                raise Conflict("you cannot take away your own admin role")
            await _keeps_an_admin(hub, target)
    if "department_ids" in sent:
        fields["department_ids"] = await _department_ids(hub, body.department_ids)
    if not fields:
        raise BadInput("nothing to change: send name, role or department_ids")
    return _changed_user(hub, await user_admin.update(hub.db, target["_id"], fields, utcnow()))


def _changed_user(hub: Hub, updated: Doc | None) -> web.Response:
    """Answer a change to a user; routing re-reads agents, since role, status or capacity may differ."""
    if updated is None:
        raise NotFound("user not found")
    runtime(hub).invalidate()
    return json_response(present_user(updated))


@routes.post("/api/v1/admin/users/{id}/deactivate")
async def deactivate_user(request: web.Request) -> web.Response:
    me = require_role(request, "admin")
    hub = request.app[keys.HUB]
    target = await _target(request)
    if target["_id"] == me["_id"]:
        raise Conflict("you cannot deactivate yourself")
    await _keeps_an_admin(hub, target)
    return _changed_user(hub, await user_admin.deactivate(hub.db, target["_id"], utcnow()))


@routes.post("/api/v1/admin/users/{id}/password")
async def reset_password(request: web.Request) -> web.Response:
    """Set a user's password; they are signed out everywhere (sessions and API tokens)."""
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    target = await _target(request)
    body = await parse_body(request, PasswordReset)
    await accounts.reset(hub.db, target, body.password)
    return json_response({**present_user(target), "signed_out": True})


@routes.post("/api/v1/admin/users/{id}/reactivate")
async def reactivate_user(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    target = await _target(request)
    return _changed_user(hub, await user_admin.reactivate(hub.db, target["_id"], utcnow()))


@routes.post("/api/v1/departments")
async def create_department(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    name = (await parse_body(request, NewDepartment)).name
    if await users.department_by_name(hub.db, name) is not None:
        raise Conflict(f"a department named {name!r} already exists")
    created = await users.ensure_department(hub.db, name, utcnow())
    runtime(hub).invalidate()
    config = await runtime(hub).config()
    return json_response({"id": created["_id"], "name": name, "key": config.key_by_oid.get(created["_id"])},
                         status=201)


@routes.get("/api/v1/admin/channels")
async def channels(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"channels": await channel_rows(request.app[keys.HUB])})
