"""Shared steps for the routing tests: departments with settings, agents with languages, customers writing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp
from bson import ObjectId

from channels.base import WEBCHAT, Identity, InboundMessage
from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.inbound.ingest import IngestResult, ingest
from hub.runtime import Hub
from hub.store import agents, conversations, messages, users
from hub.store import departments as department_store
from hub.store.db import Doc
from hub.store.documents import Conversation
from tests.support.agents import make_user


async def agent(hub: Hub, email: str, *, departments: tuple[str, ...] = ("Support",),
                languages: list[str] | None = None, capacity: int = 5, status: str = "online",
                connected: bool = True, role: str = "agent", name: str | None = None) -> Doc:
    """An agent with a profile; `connected` writes the same presence record a live inbox stream keeps."""
    user = await make_user(hub.db, email, role=role, departments=departments, name=name)
    updated = await agents.update_profile(hub.db, user["_id"], {"languages": languages or ["en"], "capacity": capacity,
                                                                "status": status}, utcnow())
    assert updated is not None
    if connected:
        now = utcnow()
        await agents.presence_open(hub.db, f"test:{email}", user["_id"], "test", now, now + timedelta(hours=1))
    return updated


async def department(hub: Hub, name: str, **routing: Any) -> Doc:
    doc = await users.ensure_department(hub.db, name, utcnow())
    if routing:
        updated = await department_store.update_routing(hub.db, doc["_id"], routing, utcnow())
        assert updated is not None
        doc = updated
    return doc


def customer(text: str, who: str, external_id: str | None = None, **extras: Any) -> InboundMessage:
    return InboundMessage(channel="webchat", identity=Identity(WEBCHAT, who), text=text, received_at=utcnow(),
                          external_id=external_id or f"{who}:{text[:20]}", raw={"text": text}, extras=extras)


async def writes(hub: Hub, text: str, who: str, **extras: Any) -> IngestResult:
    return await ingest(hub, customer(text, who, **extras))


async def conversation(hub: Hub, conversation_id: ObjectId) -> Conversation:
    found = await conversations.get(hub.db, conversation_id)
    assert found is not None
    return found


async def timeline_texts(hub: Hub, conversation_id: ObjectId) -> list[str]:
    return [m["text"] for m in await messages.timeline(hub.db, conversation_id)]


async def token_for(hub: Hub, user: Doc) -> dict[str, str]:
    token = new_api_token()
    await users.create_api_token(hub.db, token_hash(token), user["_id"], "test", utcnow())
    return {"Authorization": f"Bearer {token}"}


async def api(http: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str],
              **kwargs: Any) -> tuple[int, Any]:
    async with http.request(method, url, headers=headers, **kwargs) as response:
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.text()
