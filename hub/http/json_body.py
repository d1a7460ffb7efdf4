"""Parsing JSON that strangers send (API bodies, webhooks): bounded, storable, or a clear BadInput.

`json.loads` alone accepts what the rest of the hub cannot hold: nesting deep enough to exhaust the
stack, lone surrogates ("\\ud800") that BSON refuses to encode, integers wider than BSON's 64 bits,
and NaN / Infinity. Everything that parses a request body goes through `loads`, so each of those is
a 400 that says what is wrong (or, for surrogates, the text kept with U+FFFD), never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from channels.base import storable_key, without_surrogates
from hub.errors import BadInput

# Deeper than any body the hub or a provider writes (routing rules and Telegram updates stay under
# ten), well inside MongoDB's 100 levels and Python's recursion limit.
MAX_DEPTH = 32
_INT64 = 2**63

NOT_JSON = "the request body is not valid JSON"


class TooDeep(BadInput):
    """Nesting past the limit: told apart from other refusals by callers that word their own answer."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(f"the request body is nested too deeply (more than {max_depth} levels)")


TOO_DEEP = TooDeep(MAX_DEPTH).message


def _refuse_constant(name: str) -> Any:
    raise BadInput(f"the request body holds {name}, which is not a JSON number")


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in `raw`, every string without lone surrogates; BadInput with the reason (TooDeep
    past `max_depth` levels of nesting)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadInput("the request body is not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise TooDeep(max_depth) from None
    except ValueError as exc:  # JSONDecodeError, and ints past Python's digit limit
        if "digits" in str(exc):
            raise BadInput("the request body holds a number too large to store") from None
        raise BadInput(NOT_JSON) from None
    return clean(value, max_depth=max_depth)


def clean(value: Any, depth: int = 0, *, max_depth: int = MAX_DEPTH) -> Any:
    """`value` checked for depth and number range, lone surrogates (and NULs in keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise BadInput("the request body holds a number too large to store (more than 64 bits)")
        return value
    if depth >= max_depth:
        raise TooDeep(max_depth)
    if isinstance(value, dict):
        return {storable_key(k): clean(v, depth + 1, max_depth=max_depth)
                for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v, depth + 1, max_depth=max_depth) for v in value]
    return value
