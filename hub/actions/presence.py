"""Who is viewing or typing, as the API, the page and the live stream show it."""

from __future__ import annotations

from typing import Any

from hub.store.db import Doc


def viewer_payload(doc: Doc) -> dict[str, Any]:
    # `visitor`: the website chat's visitor typing (hub/webchat_live.py), never an agent viewing.
    return {"conversation_id": doc.get("conversation_id"), "user_id": doc.get("user_id"), "name": doc.get("name"),
            "expires_at": doc.get("expires_at"), "typing_until": doc.get("typing_until"),
            "visitor": bool(doc.get("visitor"))}
