"""Admin JSON API: users and roles, creating departments, channel status, mailboxes.

Routing fields of users (capacity, skills, languages) and departments' routing settings have their own
endpoints in hub/routing_api.py; the admin pages use those.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from bson import ObjectId

from hub import accounts, channel_catalog, keys, model
from hub.auth import require_role
from hub.clock import utcnow
from hub.context import Hub
from hub.errors import BadInput, Conflict, NotFound
from hub.passwords import MIN_PASSWORD, hash_password
from hub.routing_runtime import runtime
from hub.store import channel_status, user_admin, users
from hub.store import departments as department_store
from hub.store import mailboxes as mailbox_store
from hub.store.db import Doc, oid
from hub.web import json_response, read_body

routes = web.RouteTableDef()
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def admin_ctx(app: web.Application) -> AsyncIterator[None]:
    hub = app[keys.HUB]
    await channel_status.ensure_indexes(hub.db)
    await mailbox_store.ensure_indexes(hub.db)
    yield


def present_user(doc: Doc) -> dict[str, Any]:
    return {"id": doc["_id"], "email": doc.get("email"), "name": doc.get("name"), "role": doc.get("role"),
            "department_ids": [str(d) for d in doc.get("department_ids") or []],
            "capacity": doc.get("capacity"), "languages": doc.get("languages") or [],
            "skills": doc.get("skills") or [], "active": doc.get("deactivated_at") is None,
            "deactivated_at": doc.get("deactivated_at")}


async def _department_ids(hub: Hub, raw: Any) -> list[ObjectId]:
    values = [v for v in raw.split(",")] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if values is None:
        raise BadInput("'department_ids' must be a list of department ids")
    known = {d["_id"] for d in await department_store.all_departments(hub.db)}
    ids: list[ObjectId] = []
    for value in (str(v).strip() for v in values):
        if not value:
            continue
        department = oid(value)
        if department is None or department not in known:
            raise BadInput(f"no department with id {value!r}")
        ids.append(department)
    return ids


def _role(value: Any) -> str:
    if value not in model.ROLES:
        raise BadInput(f"role must be one of {', '.join(model.ROLES)}")
    return str(value)


def _name(value: Any, what: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"'{what}' is required")
    if len(value) > 200:
        raise BadInput(f"'{what}' is longer than 200 characters")
    return value.strip()


@routes.get("/api/v1/admin/users")
async def list_users(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"users": [present_user(u) for u in await users.users(request.app[keys.HUB].db)]})


@routes.post("/api/v1/admin/users")
async def create_user(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    body = await read_body(request)
    email = str(body.get("email") or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise BadInput("'email' must be an email address like name@example.com")
    name = _name(body.get("name"))
    password = body.get("password")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise BadInput(f"the password must have at least {MIN_PASSWORD} characters")
    role = _role(body.get("role", "agent"))
    department_ids = await _department_ids(hub, body.get("department_ids", []))
    password_hash = await hash_password(password)  # runs in an executor: ~150 ms of CPU
    try:
        created = await users.create_user(hub.db, email, name, password_hash, role, department_ids, utcnow())
    except users.AlreadyExists as exc:
        raise Conflict(str(exc)) from None
    created.pop("password_hash", None)
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
    body = await read_body(request)
    fields: Doc = {}
    if "name" in body:
        fields["name"] = _name(body["name"])
    if "role" in body:
        fields["role"] = _role(body["role"])
        if fields["role"] != "admin":
            if target["_id"] == me["_id"]:
                raise Conflict("you cannot take away your own admin role")
            await _keeps_an_admin(hub, target)
    if "department_ids" in body:
        fields["department_ids"] = await _department_ids(hub, body["department_ids"])
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
    body = await read_body(request)
    await accounts.reset(hub.db, target, body.get("password"))
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
    body = await read_body(request)
    name = _name(body.get("name"))
    if await users.department_by_name(hub.db, name) is not None:
        raise Conflict(f"a department named {name!r} already exists")
    created = await users.ensure_department(hub.db, name, utcnow())
    runtime(hub).invalidate()
    config = await runtime(hub).config()
    return json_response({"id": created["_id"], "name": name, "key": config.key_by_oid.get(created["_id"])},
                         status=201)


async def channel_rows(hub: Hub) -> list[dict[str, Any]]:
    rows = []
    for info in channel_catalog.catalog():
        name = info.name
        received = await channel_status.last_inbound(hub.db, name)
        failed = await channel_status.last_failure(hub.db, name)
        section, hint = info.readme_section, info.connect
        rows.append({"channel": name, "configured": name in hub.channels,
                     "last_received_at": received["created_at"] if received else None,
                     "last_error": (failed.get("error") or "failed") if failed else None,
                     "last_error_at": (failed.get("failed_at") or failed.get("updated_at")) if failed else None,
                     "readme_section": section, "hint": hint})
    return rows


@routes.get("/api/v1/admin/channels")
async def channels(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response({"channels": await channel_rows(request.app[keys.HUB])})
