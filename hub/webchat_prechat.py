"""The website chat's pre-chat form, checked on the hub as the widget checks it: the fields an admin made
required (Admin → Website chat), and the email whenever the department is offline (we reply by mail).

The name and email go the claim path (hub/inbound/identities.claim): the email is an unproven claim on
the visitor's own contact, so it opens nobody's history; only the one-time code proves it. A visitor whose
contact lacks a required field is asked for it before their message is taken (`refuse_unless_complete`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from channels.base import EMAIL, Identity
from channels.webchat.look import PRECHAT_FIELDS, WidgetLook
from hub.clock import utcnow
from hub.errors import BadInput
from hub.inbound.identities import normalise_email
from hub.inbound.ingest import IngestResult
from hub.inbound.verification import VerificationRefused
from hub.runtime import Hub
from hub.store import claims, contacts, messages, webchat_look
from hub.webchat_hours import chat_hours

QUESTION_LIMIT = 4000
_WHAT = {"name": "your name", "email": "your email address", "question": "your question"}


class PrechatRefused(VerificationRefused):
    """What the pre-chat form still needs; the widget shows the form with these fields marked."""

    def __init__(self, message: str, fields: list[str], client_id: str | None = None) -> None:
        super().__init__(message, "prechat")
        self.fields = fields
        self.client_id = client_id

    def frame(self) -> dict[str, object]:
        return {**super().frame(), "fields": self.fields, "client_id": self.client_id}


def _sentence(missing: list[str], offline: bool) -> str:
    words = [_WHAT[f] for f in missing]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    why = " We're offline now and will reply by email." if offline and "email" in missing else ""
    return f"Please give {listed} first.{why}"


async def required_now(hub: Hub) -> tuple[WidgetLook, tuple[str, ...], bool]:
    """(the settings, the fields required now, whether the department is offline)."""
    look = await webchat_look.look(hub.db)
    hours = await chat_hours(hub, look, utcnow())
    required = set(look.required()) | (set() if hours.online else {"email"})
    return look, tuple(f for f in PRECHAT_FIELDS if f in required), not hours.online


def missing_on(contact: Mapping[str, Any] | None, required: tuple[str, ...]) -> list[str]:
    """Required fields the visitor's contact does not hold yet (a question is asked only in the form)."""
    missing: list[str] = []
    if "name" in required and not (contact or {}).get("name"):
        missing.append("name")
    if "email" in required:
        held = [i for i in (contact or {}).get("identities", []) if i.get("kind") == EMAIL]
        claimed = [c for c in claims.claims_of(contact or {}) if c.get("kind") == EMAIL]  # type: ignore[arg-type]
        if not held and not claimed:
            missing.append("email")
    return missing


async def look_if_complete(hub: Hub, visitor: Identity, client_id: str | None) -> WidgetLook:
    """Before a visitor's message is taken: the settings, or PrechatRefused when the visitor's contact lacks
    a field the form requires now (the contact is read only when something is required)."""
    look, required, offline = await required_now(hub)
    missing = missing_on(await contacts.find_by_identity(hub.db, visitor), required) if required else []
    if missing:
        raise PrechatRefused(_sentence(missing, offline), missing, client_id)
    return look


def routing_extras(look: WidgetLook) -> dict[str, str]:
    """The department Admin → Website chat chose stands in for routing's default (rules still come first)."""
    return {"department": look.department_id} if look.department_id else {}


async def record_greeting(hub: Hub, look: WidgetLook, frame: Mapping[str, Any], result: IngestResult) -> None:
    """The greeting the visitor saw above their first message joins the timeline, just before it: the agent
    reads what the visitor was answering. Only the configured greeting (the frame says only that it was shown)."""
    if frame.get("greeted") is not True or not look.greeting or not result.created:
        return
    if not await messages.is_first_inbound(hub.db, result.conversation["_id"], result.message["_id"]):
        return  # greeted once, above the conversation's first message only
    before = result.message["created_at"] - timedelta(milliseconds=1)
    await messages.insert_event(hub.db, result.conversation, f"The chat greeted the visitor: “{look.greeting}”",
                                {"type": "greeting", "text": look.greeting}, before)


def checked_form(frame: Mapping[str, Any], required: tuple[str, ...], offline: bool
                 ) -> tuple[str | None, str | None, str | None]:
    """(name, email, question) from a `prechat` frame; PrechatRefused naming every field to fix."""
    values: dict[str, str | None] = {}
    for name in PRECHAT_FIELDS:
        value = frame.get(name)
        if value is not None and not isinstance(value, str):
            raise BadInput(f"'{name}' must be text")
        values[name] = value.strip() if isinstance(value, str) and value.strip() else None
    missing = [f for f in required if values[f] is None]
    if missing:
        raise PrechatRefused(_sentence(missing, offline), missing, None)
    if values["email"] is not None:
        try:
            values["email"] = normalise_email(values["email"])
        except BadInput:
            raise PrechatRefused("That does not look like an email address; please check it.", ["email"]) from None
    if values["name"] is not None:
        values["name"] = values["name"][:200]
    if values["question"] is not None and len(values["question"]) > QUESTION_LIMIT:
        raise PrechatRefused(f"Please keep your question under {QUESTION_LIMIT} characters.", ["question"])
    return values["name"], values["email"], values["question"]
