"""An open live stream follows the user's current rights: it ends when they are deactivated or signed
out elsewhere, and stops carrying a department's events once they are taken out of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import users
from tests.integration.admin.helpers import signed_in
from tests.integration.test_ingest_dedupe import inbound
from tests.support.agents import PASSWORD, login, make_user, next_event, sse_events

Stream = AsyncIterator[tuple[str, dict[str, Any]]]


async def _until_closed(stream: Stream, timeout: float = 10) -> list[str]:
    """Every event name the stream still sends before the hub closes it."""
    async def drain() -> list[str]:
        return [event async for event, _data in stream]

    return await asyncio.wait_for(drain(), timeout)


async def _sales_conversation(hub: Hub, text: str, visitor: str) -> str:
    """A conversation in Sales that nobody is assigned (an assignee sees theirs whatever the department)."""
    sales = await users.ensure_department(hub.db, "Sales", utcnow())
    result = await ingest(hub, inbound(text, f"ext-{visitor}", visitor=visitor))
    await hub.db["conversations"].update_one({"_id": result.conversation["_id"]},
                                             {"$set": {"department_id": sales["_id"], "assignee_id": None}})
    return str(result.conversation["_id"])


async def test_deactivating_a_user_ends_their_open_stream_within_seconds(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    ana = await make_user(hub.db, "ana@x.test")
    await login(http2, base_url, "ana@x.test")
    async with http2.get(f"{base_url}/inbox/events") as response:
        stream = sse_events(response)
        await next_event(stream, "ready", {})
        status, _answer = await admin.call("POST", f"/api/v1/admin/users/{ana['_id']}/deactivate")
        assert status == 200
        assert await _until_closed(stream) == ["reload"]
    async with http2.get(f"{base_url}/inbox/events", allow_redirects=False) as again:
        assert again.status == 302 and "/login" in again.headers["Location"]


async def test_changing_my_password_elsewhere_ends_this_sessions_stream(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    csrf = await login(http, base_url, "ana@x.test")
    await login(http2, base_url, "ana@x.test")
    async with http2.get(f"{base_url}/inbox/events") as phone, http.get(f"{base_url}/inbox/events") as desk:
        phone_stream, desk_stream = sse_events(phone), sse_events(desk)
        await next_event(phone_stream, "ready", {})
        await next_event(desk_stream, "ready", {})
        form = {"_csrf": csrf, "current_password": PASSWORD, "new_password": "a fresh password",
                "new_password_again": "a fresh password"}
        async with http.post(f"{base_url}/profile/password", data=form) as r:
            assert r.status == 200
        assert await _until_closed(phone_stream) == ["reload"]
        # The session it was changed from keeps its stream: a new conversation still arrives there.
        created = await ingest(hub, inbound("still here?", "keep-1"))
        await next_event(desk_stream, "messages", {"conversation_id": str(created.conversation["_id"])})


async def test_taking_a_user_out_of_a_department_narrows_their_open_stream(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    ana = await make_user(hub.db, "ana@x.test", departments=("Support", "Sales"))
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    await login(http2, base_url, "ana@x.test")
    async with http2.get(f"{base_url}/inbox/events") as response:
        stream = sse_events(response)
        await next_event(stream, "ready", {})
        before = await _sales_conversation(hub, "sales question", "v-1")
        await next_event(stream, "conversations", {"id": before})  # she sees Sales while in it

        status, _answer = await admin.call("PATCH", f"/api/v1/admin/users/{ana['_id']}",
                                           {"department_ids": [str(support["_id"])]})
        assert status == 200
        rights = await next_event(stream, "rights", {})
        assert rights["department_ids"] == [str(support["_id"])]

        # The customer writes again in the Sales conversation she no longer belongs to.
        await ingest(hub, inbound("any news?", "ext-v-1-again", visitor="v-1"))
        support_one = await ingest(hub, inbound("support question", "sup-1", visitor="v-3"))
        support_id = str(support_one.conversation["_id"])

        async def until_support() -> list[str]:
            seen: list[str] = []
            async for event, data in stream:
                seen.append(str(data.get("conversation_id") or data.get("id")))
                if event == "messages" and data.get("conversation_id") == support_id:
                    return seen
            raise AssertionError("stream ended")

        seen = await asyncio.wait_for(until_support(), 10)
        # Events arrive in commit order, so a Sales event would have come before the Support one.
        assert before not in seen and support_id in seen
