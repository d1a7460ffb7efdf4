"""Small waits and look-ups shared by the Twilio tests."""

from __future__ import annotations

from typing import Any

import aiohttp

from hub.runtime import Hub
from hub.store import messages
from hub.store.db import Doc
from hub.store.documents import Message
from tests.fakes.twilio import post_signed
from tests.integration.twilio.conftest import PUBLIC_URL


async def webhook(http: aiohttp.ClientSession, base_url: str, params: dict[str, str], path: str = "/webhooks/twilio",
                  **kwargs: Any) -> tuple[int, str]:
    return await post_signed(http, base_url, PUBLIC_URL, path, params, **kwargs)


async def inbound_by_sid(hub: Hub, channel: str, sid: str) -> Message:
    found = await messages.find_external(hub.db, channel, sid)
    assert found is not None, f"no {channel} message {sid}"
    return found


async def count_messages(hub: Hub, query: Doc) -> int:
    return int(await hub.db["messages"].count_documents(query))
