"""The types of the update fields the hub reads, checked before python-telegram-bot sees them.

`Update.de_json` builds objects from whatever it is given without checking a type (`"text": []`
becomes a Message whose text is a list), so a malformed update would fail deep inside the intake
as a 500, which Telegram redelivers for a day. Telegram itself never sends these; anyone holding the
webhook secret might. Checking the fields the intake reads turns each into a 400 that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# A field's allowed JSON types; a nested Mapping is an object checked field by field.
Spec = Mapping[str, Any]

_NUMBER = (int, float)
_USER: Spec = {"id": int, "is_bot": bool, "first_name": str, "last_name": str, "username": str,
               "language_code": str}
_CHAT: Spec = {"id": int, "type": str, "first_name": str, "last_name": str, "username": str, "title": str}
_FILE: Spec = {"file_id": str, "file_unique_id": str, "file_size": int, "file_name": str, "mime_type": str,
               "duration": int, "width": int, "height": int, "emoji": str}
_LOCATION: Spec = {"latitude": _NUMBER, "longitude": _NUMBER, "live_period": int, "horizontal_accuracy": _NUMBER}
_MESSAGE: Spec = {
    "message_id": int, "date": int, "edit_date": int, "text": str, "caption": str, "media_group_id": str,
    "from": _USER, "chat": _CHAT, "photo": [_FILE], "document": _FILE, "voice": _FILE, "video": _FILE,
    "video_note": _FILE, "audio": _FILE, "animation": _FILE, "sticker": _FILE, "location": _LOCATION,
    "venue": {"location": _LOCATION, "title": str, "address": str},
    "contact": {"phone_number": str, "first_name": str, "last_name": str, "user_id": int},
    "dice": {"emoji": str, "value": int}, "entities": [dict], "caption_entities": [dict],
}
_CALLBACK_QUERY: Spec = {"id": str, "from": _USER, "data": str, "chat_instance": str, "message": _MESSAGE}
_REQUIRED = ("message_id", "date", "chat")
_CHAT_REQUIRED = ("id", "type")
_CALLBACK_REQUIRED = ("id", "from", "chat_instance")
UPDATE: Spec = {"message": _MESSAGE, "edited_message": _MESSAGE, "callback_query": _CALLBACK_QUERY}


def problem(payload: Mapping[str, Any]) -> str | None:
    """What is wrong with the fields of `payload` the hub reads, or None."""
    found = _check(payload, UPDATE, "")
    if found:
        return found
    for kind in ("message", "edited_message"):
        message = payload.get(kind)
        if isinstance(message, Mapping):
            # A null counts as missing: a message with "chat": null is no message the intake can place.
            missing = [name for name in _REQUIRED if message.get(name) is None]
            if not missing and isinstance(message["chat"], Mapping):
                missing = [f"chat.{name}" for name in _CHAT_REQUIRED if message["chat"].get(name) is None]
            if missing:
                return f"{kind} has no {missing[0]!r}"
    query = payload.get("callback_query")
    if isinstance(query, Mapping):
        # A button press must say who pressed it; the message it came from may be gone (Telegram then sends
        # only its chat and id), so that message is checked for types, not for being whole.
        missing = [name for name in _CALLBACK_REQUIRED if query.get(name) is None]
        if not missing and isinstance(query["from"], Mapping) and query["from"].get("id") is None:
            missing = ["from.id"]
        if missing:
            return f"callback_query has no {missing[0]!r}"
    return None


def _check(value: Mapping[str, Any], spec: Spec, where: str) -> str | None:
    for name, expected in spec.items():
        if name not in value or value[name] is None:
            continue
        found = _check_value(value[name], expected, f"{where}{name}")
        if found:
            return found
    return None


def _check_value(value: Any, expected: Any, where: str) -> str | None:
    if isinstance(expected, Mapping):
        if not isinstance(value, Mapping):
            return f"{where} must be an object"
        return _check(value, expected, f"{where}.")
    if isinstance(expected, list):
        if not isinstance(value, list):
            return f"{where} must be a list"
        for index, item in enumerate(value):
            found = _check_value(item, expected[0], f"{where}[{index}]")
            if found:
                return found
        return None
    kinds = expected if isinstance(expected, tuple) else (expected,)
    # bool is an int in Python; in JSON it is not a number.
    if isinstance(value, bool) and bool not in kinds:
        return f"{where} must be {_describe(kinds)}"
    if not isinstance(value, kinds):
        return f"{where} must be {_describe(kinds)}"
    return None


def _describe(kinds: tuple[type, ...]) -> str:
    names = {int: "a whole number", float: "a number", str: "text", bool: "true or false", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)
