"""Acting as agents and visitors over the hub's real HTTP and WebSocket endpoints."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from bson import ObjectId

from hub.access.passwords import hash_password
from hub.clock import utcnow
from hub.store import users
from hub.store.db import Db, Doc

PASSWORD = "correct horse battery"
_HASH: str | None = None


async def make_user(db: Db, email: str, role: str = "agent", departments: tuple[str, ...] = ("Support",),
                    name: str | None = None) -> Doc:
    global _HASH
    if _HASH is None:
        _HASH = await hash_password(PASSWORD)
    ids: list[ObjectId] = []
    for department in departments:
        ids.append((await users.ensure_department(db, department, utcnow()))["_id"])
    return await users.create_user(db, email, name or email.split("@")[0].title(), _HASH, role, ids, utcnow())


async def login(session: aiohttp.ClientSession, base: str, email: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    async with session.get(f"{base}/login") as r:
        page = await r.text()
    token = re.search(r'name="_csrf" value="([^"]+)"', page)
    assert token, page
    async with session.post(f"{base}/login", data={"email": email, "password": password, "_csrf": token.group(1),
                                                    "next": "/inbox"}, allow_redirects=False) as r:
        assert r.status == 302, await r.text()
    async with session.get(f"{base}/inbox") as r:
        page = await r.text()
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert csrf, page
    return csrf.group(1)


async def sse_events(response: aiohttp.ClientResponse) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    event, data = "message", ""
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
        elif line == "":
            if data:
                yield event, json.loads(data)
            event, data = "message", ""


async def next_event(stream: AsyncIterator[tuple[str, dict[str, Any]]], kind: str, match: dict[str, Any],
                     timeout: float = 10) -> dict[str, Any]:
    async def find() -> dict[str, Any]:
        async for event, data in stream:
            if event == kind and all(data.get(k) == v for k, v in match.items()):
                return data
        raise AssertionError("stream ended")

    return await asyncio.wait_for(find(), timeout)


class Visitor:
    """A website-chat visitor: a WebSocket to /webchat/ws."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base.replace("http://", "ws://")
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.welcome: dict[str, Any] = {}

    async def connect(self, token: str | None = None) -> dict[str, Any]:
        url = f"{self.base}/webchat/ws" + (f"?token={token}" if token else "")
        self.ws = await self.session.ws_connect(url)
        self.welcome = await self.receive("welcome")
        return self.welcome

    async def send(self, frame: dict[str, Any]) -> None:
        assert self.ws is not None
        await self.ws.send_str(json.dumps(frame))

    async def say(self, text: str, client_id: str) -> dict[str, Any]:
        await self.send({"type": "message", "text": text, "client_id": client_id})
        return await self.receive("ack")

    async def receive(self, kind: str, timeout: float = 10) -> dict[str, Any]:
        assert self.ws is not None

        async def find() -> dict[str, Any]:
            while True:
                frame = await self.ws.receive_json()  # type: ignore[union-attr]
                if frame.get("type") == kind:
                    return dict(frame)

        return await asyncio.wait_for(find(), timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
