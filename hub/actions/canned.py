"""Canned responses: who may use which, who may change which, and rendering one for a conversation.

Personal ones (scope "user:<id>") belong to their owner alone: nobody else sees or changes them, admins
included, and anyone else asking for one gets the same 404 as for one that does not exist. Shared ones
and a department's are managed by admins and leads; a department's are offered only to its agents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from hub.actions.composer import canned_environment, render_canned, template_values
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, Forbidden, NotFound
from hub.runtime import Hub
from hub.store import canned, contacts
from hub.store import departments as department_store
from hub.store.db import Doc, oid

MANAGERS = ("admin", "lead")
TEAM_ONLY = ("shared and department canned responses are managed by admins and leads; "
             "make a personal one for yourself instead")
# What a canned response's text may use, for the help lines beside the composer and the forms.
VARIABLES = ("contact.name", "contact.first_name", "contact.email", "contact.phone", "contact.attributes.KEY",
             "agent.name", "agent.first_name", "conversation.channel")


def kind(doc: Doc) -> str:
    scope = str(doc.get("scope") or canned.SHARED)
    return "personal" if scope.startswith("user:") else "department" if scope.startswith("dept:") else "shared"


def may_use(user: Doc, doc: Doc) -> bool:
    owner, department = doc.get("owner_id"), doc.get("department_id")
    if owner is not None:
        return bool(owner == user["_id"])
    return department is None or department in set(user.get("department_ids") or [])


def present(doc: Doc, department_names: dict[ObjectId, str] | None = None) -> dict[str, Any]:
    department = doc.get("department_id")
    return {"id": doc["_id"], "shortcut": doc["shortcut"], "title": doc["title"], "body": doc["body"],
            "scope": kind(doc), "owner_id": doc.get("owner_id"), "department_id": department,
            "department": (department_names or {}).get(department) if department else None,
            "updated_at": doc.get("updated_at")}


async def department_names(hub: Hub) -> dict[ObjectId, str]:
    return {d["_id"]: str(d["name"]) for d in await department_store.all_departments(hub.db)}


async def usable(hub: Hub, user: Doc, prefix: str, limit: int = 20) -> list[Doc]:
    return await canned.usable(hub.db, user["_id"], user.get("department_ids") or [], prefix, limit)


async def usable_one(hub: Hub, user: Doc, raw_id: str) -> Doc:
    """The canned response if this user may insert it; the same 404 otherwise (no probing of others')."""
    canned_id = oid(raw_id)
    doc = await canned.get(hub.db, canned_id) if canned_id else None
    if doc is None or not may_use(user, doc):
        raise NotFound("canned response not found")
    return doc


async def manageable_one(hub: Hub, user: Doc, raw_id: str) -> Doc:
    """The canned response if this user may change or delete it: their own, or as admin or lead a team one."""
    canned_id = oid(raw_id)
    doc = await canned.get(hub.db, canned_id) if canned_id else None
    if doc is None or (doc.get("owner_id") is not None and doc["owner_id"] != user["_id"]):
        raise NotFound("canned response not found")
    if doc.get("owner_id") is None and user.get("role") not in MANAGERS:
        raise Forbidden(TEAM_ONLY)
    return doc


async def scope_of(hub: Hub, user: Doc, scope: str, department_id: ObjectId | None) -> tuple[ObjectId | None,
                                                                                          ObjectId | None]:
    """(owner_id, department_id) for a requested scope, once this user may write there."""
    if scope == "personal":
        return user["_id"], None
    if user.get("role") not in MANAGERS:
        raise Forbidden(TEAM_ONLY)
    if scope == "shared":
        return None, None
    if department_id is None:
        raise BadInput("a department canned response needs 'department_id'", field="department_id")
    if await department_store.get(hub.db, department_id) is None:
        raise BadInput("there is no such department", field="department_id")
    return None, department_id


def _taken(shortcut: object, scope: tuple[ObjectId | None, ObjectId | None]) -> Conflict:
    where = "among your canned responses" if scope[0] else "in that department" if scope[1] else "among shared ones"
    return Conflict(f"the shortcut /{shortcut} is taken {where}; pick another")


async def create(hub: Hub, user: Doc, shortcut: str, title: str, body: str, scope: str,
                 department_id: ObjectId | None) -> Doc:
    owner_id, department = await scope_of(hub, user, scope, department_id)
    try:
        return await canned.create(hub.db, shortcut, title, body, user["_id"], utcnow(), owner_id=owner_id,
                                   department_id=department)
    except canned.ShortcutTaken:
        raise _taken(shortcut, (owner_id, department)) from None


async def change(hub: Hub, user: Doc, doc: Doc, fields: dict[str, Any]) -> Doc:
    """Text fields as sent; a `scope` (with `department_id`) moves it, if the user may write there too.
    A `department_id` alone moves a team one to that department (null: shared), as the admin form sends."""
    target = (doc.get("owner_id"), doc.get("department_id"))
    if "department_id" in fields and "scope" not in fields and doc.get("owner_id") is None:
        fields["scope"] = "department" if fields["department_id"] else "shared"
    if "scope" in fields:
        target = await scope_of(hub, user, fields.pop("scope"), fields.pop("department_id", None))
        fields["owner_id"], fields["department_id"] = target
    else:
        fields.pop("department_id", None)  # on a personal one, without a scope, it says nothing
    try:
        updated = await canned.update(hub.db, doc["_id"], fields, utcnow())
    except canned.ShortcutTaken:
        raise _taken(fields.get("shortcut", doc["shortcut"]), target) from None
    return updated or doc


async def render_for(hub: Hub, user: Doc, conversation: Mapping[str, Any], doc: Doc) -> str:
    contact: Mapping[str, Any] = await contacts.get(hub.db, conversation["contact_id"]) or {}
    return render_canned(canned_environment(), doc["body"], template_values(contact, user, conversation),
                         hub.settings.max_text_bytes)


async def remove(hub: Hub, doc: Doc) -> None:
    await canned.delete(hub.db, doc["_id"])


async def mine(hub: Hub, user: Doc, limit: int = 500) -> list[Doc]:
    return await canned.in_scopes(hub.db, [canned.scope_key(user["_id"], None)], "", limit)
