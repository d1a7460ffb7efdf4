"""Steps shared by the website chat settings tests: an admin saving the Appearance form, a department
whose business hours exclude now, a department with a first-response target."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp

from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store.db import Doc
from tests.integration.routing.support import department
from tests.support.agents import login, make_user

EVERY_DAY = {day: ["00:00-23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def admin(hub: Hub, http: aiohttp.ClientSession, base_url: str) -> str:
    await make_user(hub.db, "boss@x.test", role="admin")
    return await login(http, base_url, "boss@x.test")


async def save_look(http: aiohttp.ClientSession, base_url: str, csrf: str, **form: str) -> aiohttp.ClientResponse:
    """The Appearance form as the browser posts it (an unticked box is absent)."""
    async with http.post(f"{base_url}/admin/webchat/look", data={"_csrf": csrf, **form},
                         allow_redirects=False) as r:
        await r.read()
        return r


async def closed_department(hub: Hub, name: str = "Night desk") -> Doc:
    """Open every day, except that yesterday, today and tomorrow are holidays: closed now, whatever the hour."""
    today = utcnow().date()
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    doc = await department(hub, name, hours={"timezone": "UTC", "weekly": EVERY_DAY, "holidays": holidays})
    runtime(hub).invalidate()
    return doc


async def answering_department(hub: Hub, name: str = "Sales", first_response: int = 900, **more: Any) -> Doc:
    """Always open (no hours), with a first-response target for normal priority."""
    doc = await department(hub, name, sla={"normal": {"first_response": first_response}}, **more)
    runtime(hub).invalidate()
    return doc
