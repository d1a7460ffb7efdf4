"""Inbox reads against the raw query for the same data: a 1,000-message conversation page and API,
and a 50-row inbox page, each timed beside the bare database query that fetches what it shows."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bson import ObjectId
from pymongo import DESCENDING

from bench.common import bench_hub_url
from hub.clock import utcnow
from hub.store.db import connect

CONVERSATIONS = 1000
MESSAGES = 1000


async def seed(url: str) -> ObjectId:
    client, db = connect(url, "bench")
    support = await db.departments.find_one({"name": "Support"})
    assert support is not None
    now = utcnow()
    contacts = [{"_id": ObjectId(), "name": f"Customer {i}", "identities": [{"kind": "webchat", "value": f"b{i}"}]}
                for i in range(CONVERSATIONS)]
    await db.contacts.insert_many(contacts)
    conversations = [{"_id": ObjectId(), "contact_id": c["_id"], "contact_name": c["name"], "status": "open",
                      "active": True, "department_id": support["_id"], "assignee_id": None, "routed": True,
                      "last_channel": "webchat", "last_message_preview": "بسیار ممنون از راهنمایی شما",
                      "last_message_at": now - timedelta(seconds=i), "created_at": now, "labels": [], "channels": []}
                     for i, c in enumerate(contacts)]
    await db.conversations.insert_many(conversations)
    big = conversations[0]
    await db.messages.insert_many([
        {"conversation_id": big["_id"], "contact_id": big["contact_id"], "direction": "in" if n % 2 else "out",
         "kind": "message", "channel": "webchat", "text": f"پیام شماره {n}: سلام، لطفاً وضعیت سفارش را بگویید",
         "status": "delivered" if n % 2 == 0 else None, "author": {"type": "contact"},
         "created_at": now + timedelta(milliseconds=n)} for n in range(MESSAGES)])
    await client.close()
    return ObjectId(big["_id"])


async def timed(call: Callable[[], Awaitable[object]], repeat: int = 7) -> float:
    await call()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (url, base, agent):
            conversation_id = await seed(url)
            client, db = connect(url, "bench")

            async def raw_timeline() -> object:
                return await db.messages.find({"conversation_id": conversation_id}).sort(
                    [("created_at", 1), ("_id", 1)]).to_list(MESSAGES)

            async def raw_tail() -> object:  # what the page shows first: the newest 150 entries
                return await db.messages.find({"conversation_id": conversation_id}).sort(
                    [("created_at", -1), ("_id", -1)]).limit(151).to_list(151)

            async def raw_inbox() -> object:
                return await db.conversations.find({"status": "open"}).sort(
                    [("last_message_at", DESCENDING), ("_id", DESCENDING)]).limit(50).to_list(50)

            async def get(path: str) -> object:
                async with agent.get(base + path) as response:
                    assert response.status == 200, response.status
                    return await response.read()

            rows = [
                ("conversation page of a 1,000-message conversation (newest 150 shown)",
                 await timed(lambda: get(f"/inbox/c/{conversation_id}")), await timed(raw_tail)),
                ("conversation API, 1,000 messages",
                 await timed(lambda: get(f"/api/v1/conversations/{conversation_id}/messages")),
                 await timed(raw_timeline)),
                ("inbox API, 50 of 1,000 open", await timed(lambda: get("/api/v1/conversations?limit=50")),
                 await timed(raw_inbox)),
            ]
            await client.close()
    for name, hub_ms, raw_ms in rows:
        print(f"{name}: {hub_ms:.0f} ms | raw query: {raw_ms:.0f} ms | ratio {hub_ms / raw_ms:.2f} "
              f"({'meets' if hub_ms / raw_ms <= 1.5 else 'above'} the aim of 1.50)")



