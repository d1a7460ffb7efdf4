"""Turning a department's survey on and resolving a conversation, as an admin does over the API."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from hub.store import users
from tests.support.agents import login, make_user


async def turn_on_survey(hub: Hub, http: aiohttp.ClientSession, base_url: str, delay: int = 0) -> str:
    """Signed in as an admin who turned the Support department's survey on; returns the CSRF token."""
    await make_user(hub.db, "root@x.test", role="admin")
    csrf = await login(http, base_url, "root@x.test")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    async with http.put(f"{base_url}/api/v1/departments/{support['_id']}", headers={"X-CSRF-Token": csrf},
                        json={"csat": {"enabled": True, "delay_seconds": delay}}) as r:
        assert r.status == 200, await r.text()
    return csrf


async def set_status(http: aiohttp.ClientSession, base_url: str, csrf: str, conversation_id: str, status: str
                     ) -> None:
    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/status", json={"status": status},
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 200, await r.text()
