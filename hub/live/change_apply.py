"""An update event's `updateDescription` applied to a copy of the document it changed.

The change stream is opened without `updateLookup` (one server-side read per update event saved): a
conversation the bus already holds is brought up to date from the event itself. Paths are dotted
(`last_inbound_at_by_channel.sms`, `channels.2`); a number after a list is its position.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hub.store.db import Doc


def applied(doc: Mapping[str, Any], description: Mapping[str, Any]) -> Doc:
    """`doc` as the update left it (a new document; `doc` itself is not changed)."""
    result: Doc = copy.deepcopy(dict(doc))
    for truncated in description.get("truncatedArrays") or ():
        array = _parent_and_key(result, str(truncated["field"]) + ".0")
        if array is not None and isinstance(array[0], list):
            del array[0][int(truncated["newSize"]):]
    for path, value in (description.get("updatedFields") or {}).items():
        _set(result, str(path), value)
    for path in description.get("removedFields") or ():
        found = _parent_and_key(result, str(path))
        if found is not None:
            parent, key = found
            if isinstance(parent, dict):
                parent.pop(key, None)
            elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
                parent[key] = None  # $unset of an array element leaves a null, as the server does
    return result


def _set(doc: Doc, path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = doc
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(None)
            if last:
                node[index] = copy.deepcopy(value)
                return
            if not isinstance(node[index], dict | list):
                node[index] = {}
            node = node[index]
        else:
            if last:
                node[part] = copy.deepcopy(value)
                return
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]


def _parent_and_key(doc: Doc, path: str) -> tuple[Any, Any] | None:
    parts = path.split(".")
    node: Any = doc
    for part in parts[:-1]:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return None
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    last = parts[-1]
    if isinstance(node, list):
        return (node, int(last)) if last.isdigit() else None
    return (node, last) if isinstance(node, dict) else None
