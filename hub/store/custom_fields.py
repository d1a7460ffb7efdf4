"""Custom contact attributes defined by admins (text, number, date, choice) and checking their values."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from hub.store.db import Db, Doc

COLLECTION = "custom_fields"
TYPES = ("text", "number", "date", "choice")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT = 500
MAX_CHOICES = 50


class FieldError(ValueError):
    """A definition or value that does not fit; the message says what would."""


def check_definition(body: dict[str, Any]) -> Doc:
    key, label, kind = body.get("key"), body.get("label"), body.get("type")
    if not isinstance(key, str) or not KEY.match(key):
        raise FieldError("'key' must be 1-40 lower-case letters, digits or _, starting with a letter")
    if not isinstance(label, str) or not label.strip() or len(label) > 100:
        raise FieldError("'label' is required: up to 100 characters")
    if kind not in TYPES:
        raise FieldError(f"'type' must be one of {', '.join(TYPES)}")
    doc: Doc = {"key": key, "label": label.strip(), "type": kind}
    if kind == "choice":
        choices = body.get("choices")
        if isinstance(choices, str):
            choices = [c for c in (part.strip() for part in choices.split(",")) if c]
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c.strip()
                                                                   for c in choices):
            raise FieldError("a choice field needs 'choices': a list of options")
        if len(choices) > MAX_CHOICES:
            raise FieldError(f"at most {MAX_CHOICES} choices")
        doc["choices"] = list(dict.fromkeys(c.strip() for c in choices))
    return doc


async def define(db: Db, definition: Doc, now: datetime) -> Doc:
    doc = {**definition, "created_at": now}
    try:
        result = await db[COLLECTION].insert_one(doc)
    except DuplicateKeyError:
        raise FieldError(f"a field with key {definition['key']!r} already exists") from None
    doc["_id"] = result.inserted_id
    return doc


async def all_fields(db: Db) -> list[Doc]:
    return await db[COLLECTION].find().sort("key", ASCENDING).to_list(500)


async def remove(db: Db, key: str) -> bool:
    """The definition goes; values already on contacts stay, shown as plain text."""
    return (await db[COLLECTION].delete_one({"key": key})).deleted_count == 1


def coerce(field: Doc, raw: Any) -> Any:
    """The stored value for what an agent typed; None clears it. Raises FieldError with the reason."""
    label = field.get("label") or field["key"]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = field["type"]
    if kind == "number":
        if isinstance(raw, bool):
            raise FieldError(f"{label} must be a number")
        try:
            number = float(raw) if not isinstance(raw, int | float) else raw
        except (ValueError, TypeError):  # TypeError: a list or an object where a number belongs
            raise FieldError(f"{label} must be a number, not {str(raw)[:40]!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise FieldError(f"{label} must be a finite number")
        return int(number) if float(number).is_integer() and abs(number) < 2**53 else number
    text = str(raw).strip()
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise FieldError(f"{label} must be a date like 2026-11-30") from None
    if kind == "choice":
        if text not in field.get("choices", []):
            raise FieldError(f"{label} must be one of: {', '.join(field.get('choices', []))}")
        return text
    if len(text) > MAX_TEXT:
        raise FieldError(f"{label} is {len(text):,} characters; the limit is {MAX_TEXT}")
    return text
