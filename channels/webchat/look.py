"""How the website chat looks and greets, as an admin sets it (Admin → Website chat → Appearance).

Pure data and its checks: the hub stores it (hub/store/webchat_look.py) and serves the public part to the
widget (/webchat/config). Nothing here is secret; the identity secret and allowed origins live beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

PrechatField = Literal["name", "email", "question"]
FieldState = Literal["off", "optional", "required"]
PRECHAT_FIELDS: tuple[PrechatField, ...] = ("name", "email", "question")
FIELD_STATES: tuple[FieldState, ...] = ("off", "optional", "required")
POSITIONS = ("right", "left")
DEFAULT_COLOUR = "#1f6feb"
TITLE_LIMIT = 60
GREETING_LIMIT = 500
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class BadLook(ValueError):
    """A setting an admin gave that cannot be used; the message says which and why."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class WidgetLook:
    colour: str = DEFAULT_COLOUR
    position: str = "right"
    title: str = ""  # empty: the widget's own "Chat with us" in the visitor's language
    greeting: str = ""  # empty: no greeting bubble
    prechat: bool = False
    fields: Mapping[str, str] = field(default_factory=lambda: {"name": "optional", "email": "optional",
                                                                "question": "off"})
    department_id: str = ""  # empty: routing's default department

    def required(self) -> tuple[str, ...]:
        """Fields the pre-chat form must have filled (none when the form is off)."""
        return tuple(f for f in PRECHAT_FIELDS if self.prechat and self.fields.get(f) == "required")

    def as_doc(self) -> dict[str, Any]:
        return {"colour": self.colour, "position": self.position, "title": self.title, "greeting": self.greeting,
                "prechat": self.prechat, "fields": {f: self.fields.get(f, "off") for f in PRECHAT_FIELDS},
                "department_id": self.department_id}

    def public(self) -> dict[str, Any]:
        """What any page may read: everything but which department (an internal id)."""
        shown = self.as_doc()
        shown.pop("department_id")
        return shown


def of_doc(raw: object) -> WidgetLook:
    """What is stored, read leniently: anything unusable falls back to the default."""
    if not isinstance(raw, Mapping):
        return WidgetLook()
    try:
        return check(raw, WidgetLook())
    except BadLook:
        return WidgetLook()


def _flag(value: object, setting: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1"):
        return True
    if value in ("false", "off", "0", "", None):
        return False
    raise BadLook(f"'{setting}' must be on or off", setting)


def _text(value: object, setting: str, limit: int) -> str:
    if not isinstance(value, str):
        raise BadLook(f"'{setting}' must be text", setting)
    text = value.strip()
    if len(text) > limit:
        raise BadLook(f"'{setting}' is {len(text)} characters long; keep it under {limit}", setting)
    return text


def check(body: Mapping[str, Any], current: WidgetLook) -> WidgetLook:
    """The settings a form or API body sends (only those given change); BadLook with a sentence otherwise."""
    known = {"colour", "position", "title", "greeting", "prechat", "fields", "department_id"}
    unknown = sorted(set(body) - known - {f"fields.{f}" for f in PRECHAT_FIELDS})
    if unknown:
        raise BadLook(f"there is no website chat setting {unknown[0]!r}", unknown[0])
    look = current
    if "colour" in body:
        colour = body["colour"]
        if not isinstance(colour, str) or not _COLOUR.match(colour.strip()):
            raise BadLook("the colour must be written as #RRGGBB, such as #1f6feb", "colour")
        look = replace(look, colour=colour.strip().lower())
    if "position" in body:
        if body["position"] not in POSITIONS:
            raise BadLook("the position must be right or left", "position")
        look = replace(look, position=str(body["position"]))
    if "title" in body:
        look = replace(look, title=_text(body["title"], "title", TITLE_LIMIT))
    if "greeting" in body:
        look = replace(look, greeting=_text(body["greeting"], "greeting", GREETING_LIMIT))
    if "prechat" in body:
        look = replace(look, prechat=_flag(body["prechat"], "prechat"))
    fields = dict(look.fields)
    given = body.get("fields", {})
    if not isinstance(given, Mapping):
        raise BadLook("'fields' must map name, email and question to off, optional or required", "fields")
    flat = {k.split(".", 1)[1]: v for k, v in body.items() if k.startswith("fields.")}
    for name, state in {**given, **flat}.items():
        if name not in PRECHAT_FIELDS:
            raise BadLook(f"the pre-chat form has no field {name!r} (there are: name, email, question)", "fields")
        if state not in FIELD_STATES:
            raise BadLook(f"the {name} field must be off, optional or required", f"fields.{name}")
        fields[name] = str(state)
    look = replace(look, fields=fields)
    if "department_id" in body:
        department = body["department_id"]
        if department is None:
            department = ""
        if not isinstance(department, str) or (department and not re.fullmatch(r"[0-9a-f]{24}", department)):
            raise BadLook("choose a department from the list", "department_id")
        look = replace(look, department_id=department)
    return look
