"""Setting up a conversation with agents signed in, for the conversation page's API tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import aiohttp

from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store.db import Doc
from hub.store.documents import Conversation
from tests.integration.test_ingest_dedupe import inbound
from tests.support.agents import login, make_user


@dataclass
class Agent:
    http: aiohttp.ClientSession
    base: str
    csrf: str
    user: Doc

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        async with self.http.post(self.base + path, json=body, headers={"X-CSRF-Token": self.csrf}) as r:
            return r.status, await r.json()

    async def get(self, path: str) -> tuple[int, dict[str, Any]]:
        async with self.http.get(self.base + path, headers={"Accept": "application/json"}) as r:
            return r.status, await r.json()

    async def page(self, path: str) -> str:
        async with self.http.get(self.base + path) as r:
            assert r.status == 200, await r.text()
            return await r.text()


async def agent(hub: Hub, http: aiohttp.ClientSession, base: str, email: str, name: str, role: str = "agent",
                departments: tuple[str, ...] = ("Support",)) -> Agent:
    user = await make_user(hub.db, email, role=role, departments=departments, name=name)
    return Agent(http, base, await login(http, base, email), user)


async def customer_writes(hub: Hub, text: str, external_id: str, visitor: str = "v-1") -> Conversation:
    result = await ingest(hub, inbound(text, external_id, visitor))
    return result.conversation


def last_seen_on_page(html: str) -> str:
    found = re.search(r'name="last_seen_id" value="([0-9a-f]{24})"', html)
    assert found, "the composer carries the id of the last message shown"
    return found.group(1)
