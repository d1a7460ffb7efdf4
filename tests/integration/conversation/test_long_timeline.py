"""A long conversation opens on its newest messages; earlier ones load on request, page by page."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp
from bson import ObjectId

from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from inbox_ui.conversation import TIMELINE_PAGE
from tests.integration.test_ingest_dedupe import inbound
from tests.support.agents import login, make_user


async def test_a_long_conversation_shows_its_newest_page_and_loads_earlier_on_request(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    await login(http, base_url, "agent@x.test")
    first = await ingest(hub, inbound("message 0", "m-0"))
    conversation = first.conversation
    start = utcnow()
    await hub.db["messages"].insert_many([
        {"conversation_id": conversation["_id"], "contact_id": conversation["contact_id"], "direction": "in",
         "kind": "message", "channel": "webchat", "text": f"message {n}", "created_at": start + timedelta(seconds=n)}
        for n in range(1, 200)])
    async with http.get(f"{base_url}/inbox/c/{conversation['_id']}") as r:
        page = await r.text()
    shown = re.findall(r'data-message="([0-9a-f]{24})"', page)
    assert len(shown) == TIMELINE_PAGE == 50
    assert "message 199" in page and ">message 0<" not in page
    assert "Load earlier messages" in page

    seen = list(shown)
    while True:  # page back to the first message: 200 messages and the routing event, each once
        async with http.get(f"{base_url}/inbox/c/{conversation['_id']}/earlier", params={"before": seen[0]}) as r:
            assert r.status == 200
            earlier = await r.text()
        older = re.findall(r'data-message="([0-9a-f]{24})"', earlier)
        assert 0 < len(older) <= TIMELINE_PAGE
        assert not set(older) & set(seen)
        seen = older + seen
        if "Load earlier messages" not in earlier:
            break
    assert len(seen) == 201 and ">message 0<" in earlier

    async with http.get(f"{base_url}/inbox/c/{conversation['_id']}/earlier", params={"before": str(ObjectId())}) as r:
        assert r.status == 400
