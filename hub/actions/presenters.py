"""What the API and live events show of stored documents (no internals, no secrets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MESSAGE_FIELDS = ("conversation_id", "contact_id", "direction", "kind", "channel", "text", "html", "subject",
                   "attachments", "author", "status", "error", "provider_id", "created_at", "updated_at",
                   "attempts", "data", "to", "received_at", "edits", "edited_at", "delivery_uncertain")
_CONVERSATION_FIELDS = ("contact_id", "contact_name", "department_id", "assignee_id", "status", "priority",
                        "labels", "channels", "last_channel", "last_message_at", "last_message_preview",
                        "waiting_since", "first_response_at", "created_at", "updated_at", "routing")


def _pick(doc: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": doc["_id"]}
    for name in fields:
        if name in doc:
            out[name] = doc[name]
    return out


def message(doc: Mapping[str, Any]) -> dict[str, Any]:
    out = _pick(doc, _MESSAGE_FIELDS)
    if out.get("author") and "id" in out["author"]:
        out["author"] = {**out["author"]}
    return out


def conversation(doc: Mapping[str, Any]) -> dict[str, Any]:
    return _pick(doc, _CONVERSATION_FIELDS)


def contact(doc: Mapping[str, Any]) -> dict[str, Any]:
    # A merged-away contact holds no identities field (an empty list would collide in the unique index).
    return {"identities": [], **_pick(doc, ("name", "identities", "attributes", "tags", "created_at", "last_seen_at",
                                            "merged_into", "source", "usernames"))}
