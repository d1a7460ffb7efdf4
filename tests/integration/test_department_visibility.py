"""An agent cannot read another department's conversation: not by page, API or live stream."""

from __future__ import annotations

import aiohttp

from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import users
from tests.integration.test_ingest_dedupe import inbound
from tests.support.agents import login, make_user, next_event, sse_events


async def test_sales_agent_cannot_see_support_conversation_anywhere(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "sales@x.test", departments=("Sales",))
    await make_user(hub.db, "support@x.test", departments=("Support",))
    sales_csrf = await login(http, base_url, "sales@x.test")
    await login(http2, base_url, "support@x.test")

    async with http.get(f"{base_url}/inbox/events") as sales_sse, http2.get(f"{base_url}/inbox/events") as sup_sse:
        sales_stream, support_stream = sse_events(sales_sse), sse_events(sup_sse)
        await next_event(sales_stream, "ready", {})
        await next_event(support_stream, "ready", {})
        result = await ingest(hub, inbound("support only", "s-1"))  # routed to the default: Support
        conversation_id = str(result.conversation["_id"])
        await next_event(support_stream, "messages", {"conversation_id": conversation_id})
        # The sales agent's stream carries nothing about it (a later visible event proves the stream is live).
        sales_hub = await users.ensure_department(hub.db, "Sales", utcnow())
        other = await ingest(hub, inbound("for sales", "s-2", visitor="v-sales"))
        await hub.db["conversations"].update_one({"_id": other.conversation["_id"]},
                                                 {"$set": {"department_id": sales_hub["_id"]}})
        seen = await next_event(sales_stream, "conversations", {"id": str(other.conversation["_id"])})
        assert seen["department_id"] == str(sales_hub["_id"])

    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        assert r.status == 404
        assert "support only" not in await r.text()
    for path in (f"/api/v1/conversations/{conversation_id}", f"/api/v1/conversations/{conversation_id}/messages"):
        async with http.get(base_url + path, headers={"Accept": "application/json"}) as r:
            assert r.status == 404
            assert (await r.json())["error"] == "conversation not found"
    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages", json={"text": "sneaky"},
                         headers={"X-CSRF-Token": sales_csrf}) as r:
        assert r.status == 404
    async with http.get(f"{base_url}/api/v1/conversations?status=any") as r:
        listed = [c["id"] for c in (await r.json())["conversations"]]
        assert conversation_id not in listed

    token = new_api_token()
    sales = await users.user_by_email(hub.db, "sales@x.test")
    assert sales is not None
    await users.create_api_token(hub.db, token_hash(token), sales["_id"], "test", utcnow())
    async with aiohttp.ClientSession() as bare, bare.get(
        f"{base_url}/api/v1/conversations/{conversation_id}", headers={"Authorization": f"Bearer {token}"}
    ) as r:
        assert r.status == 404


async def test_lead_without_departments_still_sees_every_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    await login(http, base_url, "lead@x.test")
    result = await ingest(hub, inbound("anyone?", "l-1"))
    async with http.get(f"{base_url}/api/v1/conversations/{result.conversation['_id']}") as r:
        assert r.status == 200
