"""Reading a visitor's frame: a JSON object, not too deep, its text made storable.

`json.loads` recurses once per nesting level, so `[[[[…` 100,000 deep raises RecursionError; a frame
needs three levels at most, so anything deeper is refused before it is used. JSON escapes can carry
lone surrogates (`"\\ud800"`), which no UTF-8 store or socket accepts: they become U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 8
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadFrame(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def storable(text: str) -> str:
    """The text with lone surrogates replaced by U+FFFD (a valid pair was already joined by json)."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _cleaned(value: Any) -> Any:
    """A copy with every string (keys too) storable; BadFrame past MAX_DEPTH. Iterative: no recursion."""
    root: list[Any] = [None]
    stack: list[tuple[Any, list[Any] | dict[str, Any], Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, slot, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadFrame("the frame is nested too deeply")
        if isinstance(item, str):
            parent[slot] = storable(item)
        elif isinstance(item, dict):
            copy: dict[str, Any] = {}
            parent[slot] = copy
            for key, child in item.items():
                clean_key = storable(key)
                copy[clean_key] = None
                stack.append((child, copy, clean_key, depth + 1))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            parent[slot] = items
            stack.extend((child, items, index, depth + 1) for index, child in enumerate(item))
        else:
            parent[slot] = item
    return root[0]


def parse_frame(raw: str) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except RecursionError:
        raise BadFrame("the frame is nested too deeply") from None
    except ValueError:
        raise BadFrame("frames must be JSON objects") from None
    if not isinstance(frame, dict):
        raise BadFrame("frames must be JSON objects")
    cleaned: dict[str, Any] = _cleaned(frame)
    return cleaned
