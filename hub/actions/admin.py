"""What admin screens and the admin API both show: users, channels."""

from __future__ import annotations

from typing import Any

from hub import channel_catalog
from hub.runtime import Hub
from hub.store import channel_status
from hub.store.db import Doc


def present_user(doc: Doc) -> dict[str, Any]:
    return {"id": doc["_id"], "email": doc.get("email"), "name": doc.get("name"), "role": doc.get("role"),
            "department_ids": [str(d) for d in doc.get("department_ids") or []],
            "capacity": doc.get("capacity"), "languages": doc.get("languages") or [],
            "skills": doc.get("skills") or [], "active": doc.get("deactivated_at") is None,
            "deactivated_at": doc.get("deactivated_at")}


async def channel_rows(hub: Hub) -> list[dict[str, Any]]:
    rows = []
    for info in channel_catalog.catalog():
        name = info.name
        received = await channel_status.last_inbound(hub.db, name)
        failed = await channel_status.last_failure(hub.db, name)
        section, hint = info.readme_section, info.connect
        rows.append({"channel": name, "configured": name in hub.channels,
                     "last_received_at": received["created_at"] if received else None,
                     "last_error": (failed.get("error") or "failed") if failed else None,
                     "last_error_at": (failed.get("failed_at") or failed.get("updated_at")) if failed else None,
                     "readme_section": section, "hint": hint})
    return rows


