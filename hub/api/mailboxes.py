"""Admin JSON API for mailboxes (issue 7): those from EMAIL_MAILBOXES read-only, stored ones editable.

Passwords are write-only: accepted on create and edit, kept when the field is left empty, never
returned, logged or echoed in an error (pydantic's messages would repeat the input, so they are rebuilt
from the field names only).
"""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import PlainValidator, ValidationError
from pydantic_core import PydanticCustomError

from channels.email.settings import FROM_NAME_STYLES, Mailbox
from hub import keys
from hub.access.auth import require_role
from hub.actions.mailboxes import SECURITIES, mailbox_rows, present, settings_rows
from hub.clock import utcnow
from hub.errors import BadInput, Conflict, NotFound
from hub.http.params import parse_int
from hub.http.request_models import Flag, RequestModel, parse_body
from hub.http.web import json_response
from hub.runtime import Hub
from hub.store import mailboxes as mailbox_store
from hub.store import users
from hub.store.db import Doc, oid

routes = web.RouteTableDef()


def _text(value: object) -> str:
    """Text, trimmed; a number is taken as its digits (a port typed into JSON), null as empty."""
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise PydanticCustomError("hub_text", "{name} must be text")
    return str(value).strip()


def _port(value: object) -> int | None:
    raw = _text(value)
    if not raw:
        return None
    port = parse_int(raw)
    if port is None or not 1 <= port <= 65535:
        raise PydanticCustomError("hub_port", "{name} must be a port number from 1 to 65535")
    return port


def _security(value: object) -> str:
    security = _text(value) or "starttls"
    if security not in SECURITIES:
        raise PydanticCustomError("hub_choice", "{name} must be one of " + ", ".join(SECURITIES))
    return security


def _from_name_style(value: object) -> str:
    style = _text(value) or "agent"
    if style not in FROM_NAME_STYLES:
        raise PydanticCustomError("hub_choice", "{name} must be one of " + ", ".join(FROM_NAME_STYLES))
    return style


Text = Annotated[str, PlainValidator(_text)]
Port = Annotated[int | None, PlainValidator(_port)]  # None: the protocol's usual port


class MailboxForm(RequestModel):
    """The admin form (or JSON) for a stored mailbox; empty password fields keep the stored password."""

    address: Text = ""
    department: Text = ""
    display_name: Text = ""
    from_name_style: Annotated[str, PlainValidator(_from_name_style)] = "agent"
    smtp_host: Text = ""
    smtp_port: Port = None
    smtp_security: Annotated[str, PlainValidator(_security)] = "starttls"
    smtp_username: Text = ""
    smtp_password: Text = ""
    imap_enabled: Flag = False
    imap_host: Text = ""
    imap_port: Port = None
    imap_ssl: Flag = False
    imap_username: Text = ""
    imap_password: Text = ""
    imap_folder: Text = ""

    field_messages = {"smtp_security": f"'smtp_security' must be one of {', '.join(SECURITIES)}",
                      "from_name_style": f"'from_name_style' must be one of {', '.join(FROM_NAME_STYLES)}"}


async def _fields(hub: Hub, form: MailboxForm, existing: Doc | None) -> Doc:
    """The document to store, validated; empty password fields keep the stored password."""
    if form.department and await users.department_by_name(hub.db, form.department) is None:
        raise BadInput(f"no department named {form.department!r}", field="department")
    fields: Doc = {"address": form.address.lower(), "department": form.department,
                   "display_name": form.display_name, "from_name_style": form.from_name_style}
    if form.smtp_host:
        password = form.smtp_password or (existing or {}).get("smtp", {}).get("password", "")
        fields["smtp"] = {"host": form.smtp_host, "port": form.smtp_port or 587, "security": form.smtp_security,
                          "username": form.smtp_username, "password": str(password)}
    if form.imap_enabled:
        if not form.imap_host:
            raise BadInput("'imap_host' is required when IMAP is on", field="imap_host")
        password = form.imap_password or ((existing or {}).get("imap") or {}).get("password", "")
        if not password:
            raise BadInput("'imap_password' is required when IMAP is on", field="imap_password")
        fields["imap"] = {"host": form.imap_host, "port": form.imap_port or 993, "ssl": form.imap_ssl,
                          "username": form.imap_username or fields["address"],
                          "password": str(password), "folder": form.imap_folder or "INBOX"}
    try:
        Mailbox.model_validate(fields)
    except ValidationError as exc:
        # Only the field names: pydantic's message may repeat the value, and the value may be a password.
        where = [".".join(map(str, e["loc"])) for e in exc.errors()]
        hint = " (an address like support@example.com)" if "address" in where else ""
        message = f"check these fields: {', '.join(where)}{hint}"
        raise BadInput(message, field=where[0] if where else None,
                       fields=[{"field": name, "reason": f"check '{name}'{hint if name == 'address' else ''}"}
                               for name in where]) from None
    return fields


async def _changed(hub: Hub) -> None:
    if hub.mailboxes.changed is not None:
        await hub.mailboxes.changed()


def _taken_by_settings(hub: Hub, address: str) -> None:
    if any(row["address"] == address for row in settings_rows(hub)):
        raise Conflict(f"{address} is configured in EMAIL_MAILBOXES; change it there")


@routes.get("/api/v1/admin/mailboxes")
async def list_mailboxes(request: web.Request) -> web.Response:
    require_role(request, "admin")
    return json_response({"mailboxes": await mailbox_rows(request.app[keys.HUB])})


@routes.post("/api/v1/admin/mailboxes")
async def create_mailbox(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    fields = await _fields(hub, await parse_body(request, MailboxForm), None)
    _taken_by_settings(hub, fields["address"])
    try:
        created = await mailbox_store.create(hub.db, fields, utcnow(), hub.settings.ensure_secret_key())
    except mailbox_store.AddressTaken as exc:
        raise Conflict(str(exc)) from None
    await _changed(hub)
    return json_response(present(created), status=201)


async def _stored(request: web.Request) -> Doc:
    mailbox_id = oid(request.match_info["id"])
    hub = request.app[keys.HUB]
    key = hub.settings.ensure_secret_key()
    found = await mailbox_store.get_with_secrets(hub.db, mailbox_id, key) if mailbox_id else None
    if found is None:
        raise NotFound("mailbox not found (mailboxes from EMAIL_MAILBOXES are changed in the settings)")
    return found


@routes.put("/api/v1/admin/mailboxes/{id}")
async def update_mailbox(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    existing = await _stored(request)
    fields = await _fields(hub, await parse_body(request, MailboxForm), existing)
    _taken_by_settings(hub, fields["address"])
    try:
        key = hub.settings.ensure_secret_key()
        updated = await mailbox_store.replace(hub.db, existing["_id"], fields, utcnow(), key)
    except mailbox_store.AddressTaken as exc:
        raise Conflict(str(exc)) from None
    if updated is None:
        raise NotFound("mailbox not found")
    await _changed(hub)
    return json_response(present(updated))


@routes.delete("/api/v1/admin/mailboxes/{id}")
async def delete_mailbox(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    existing = await _stored(request)
    await mailbox_store.delete(hub.db, existing["_id"])
    await _changed(hub)
    return json_response({"deleted": str(existing["_id"])})
