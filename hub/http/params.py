"""Reading numbers, dates and ids from query strings: the value, or a BadInput naming the parameter.

Every query parameter that is not free text goes through one of these, so a huge number
(`since=99999999999999999999999`), a date past year 9999 or a digit Python's `int` refuses ("²")
is a 400 that says which parameter is wrong and what it should be, never a traceback.
They take any mapping (`request.query`, a form, a JSON body) so request models can reuse them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bson import ObjectId

from channels.base import without_surrogates
from hub.errors import BadInput
from hub.store.db import oid

# Longer than any number a parameter can sensibly hold; refused before `int` is asked to read it.
_MAX_DIGITS = 20


def parse_int(raw: str) -> int | None:
    """An integer written in ASCII digits (an optional leading minus), or None."""
    text = raw.strip()
    body = text[1:] if text.startswith("-") else text
    if not body or len(body) > _MAX_DIGITS or not (body.isascii() and body.isdigit()):
        return None
    return int(text)


def int_param(query: Mapping[str, object], name: str, default: int, lo: int, hi: int) -> int:
    """`name` as a whole number within [lo, hi]; `default` when it is absent or empty."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    value = parse_int(raw) if isinstance(raw, str) else raw if type(raw) is int else None
    if value is None or not lo <= value <= hi:
        raise BadInput(f"'{name}' must be a whole number from {lo} to {hi}")
    return value


def stamp_param(query: Mapping[str, object], name: str) -> datetime | None:
    """`name` as a moment given in milliseconds since 1970 (what the live stream hands out); None when absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    value = parse_int(raw) if isinstance(raw, str) else None
    moment = stamp_to_datetime(value) if value is not None else None
    if moment is None:
        raise BadInput(f"'{name}' must be a time in milliseconds since 1970, as the live stream gives it")
    return moment


def stamp_to_datetime(ms: int) -> datetime | None:
    """The UTC moment `ms` milliseconds after 1970, or None when it is outside the years 1970-9999."""
    if not 0 <= ms <= 253_402_300_799_999:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def date_param(query: Mapping[str, object], name: str) -> datetime | None:
    """`name` as an ISO date or date and time (UTC unless it carries an offset); None when absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    moment = parse_datetime(raw) if isinstance(raw, str) else None
    if moment is None:
        raise BadInput(f"'{name}' must be a date such as 2026-01-31 or a date and time such as 2026-01-31T09:00")
    return moment


def parse_datetime(raw: str) -> datetime | None:
    """An ISO date or date and time as an aware UTC datetime, or None when it is not one (or not in 1-9999)."""
    text = raw.strip()
    if not text or len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)  # an offset can push the year out of range: OverflowError
    except (ValueError, OverflowError):
        return None


def oid_param(query: Mapping[str, object], name: str, what: str = "an id") -> ObjectId | None:
    """`name` as an object id; None when absent."""
    raw = query.get(name)
    if raw is None or raw == "":
        return None
    value = oid(raw) if isinstance(raw, str) else None
    if value is None:
        raise BadInput(f"'{name}' must be {what} (24 hexadecimal characters)")
    return value


def text_param(query: Mapping[str, object], name: str, max_chars: int = 500) -> str:
    """`name` as text, trimmed, without lone surrogates; empty when absent."""
    raw = query.get(name)
    if not isinstance(raw, str):
        return ""
    text = without_surrogates(raw.strip())
    if len(text) > max_chars:
        raise BadInput(f"'{name}' is at most {max_chars} characters")
    return text
