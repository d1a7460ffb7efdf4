"""Inbox reads at scale against the raw query for the same data, p50 and p95: the inbox list (first
page and a deep page) and a 1,000-message conversation (page and API), with 100,000 conversations
and 1,000,000 messages by default (BENCH_CONVERSATIONS / BENCH_MESSAGES_TOTAL make it smaller)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import DESCENDING

from bench.common import bench_hub_url
from hub.clock import utcnow
from hub.store.db import Db, connect
from hub.store.inbox_views import format_cursor

CONVERSATIONS = int(os.environ.get("BENCH_CONVERSATIONS", "100000"))
MESSAGES_TOTAL = int(os.environ.get("BENCH_MESSAGES_TOTAL", "1000000"))
BIG = 1000  # messages in the conversation that is opened
CHUNK = 10_000
DEEP_RANK = min(CONVERSATIONS - 60, 20_000)  # where the deep page starts


async def seed(db: Db, vary: Callable[[int], dict[str, object]] | None = None) -> tuple[ObjectId, str]:
    """Returns (the 1,000-message conversation, the cursor of a deep inbox page). `vary(i)` may change
    fields of the i-th conversation (newest first), e.g. to spread them over assignees and departments."""
    support = await db.departments.find_one({"name": "Support"})
    assert support is not None
    now = utcnow()
    ids = [ObjectId() for _ in range(CONVERSATIONS)]
    contact_ids = [ObjectId() for _ in range(CONVERSATIONS)]
    for start in range(0, CONVERSATIONS, CHUNK):
        await db.contacts.insert_many([
            {"_id": contact_ids[i], "name": f"Customer {i}", "identities": [{"kind": "webchat", "value": f"b{i}"}]}
            for i in range(start, min(start + CHUNK, CONVERSATIONS))])
        await db.conversations.insert_many([
            {"_id": ids[i], "contact_id": contact_ids[i], "contact_name": f"Customer {i}", "status": "open",
             "active": True, "department_id": support["_id"], "assignee_id": None, "routed": True,
             "last_channel": "webchat", "last_message_preview": "بسیار ممنون از راهنمایی شما",
             "last_message_at": now - timedelta(seconds=i), "created_at": now, "labels": [], "channels": [],
             **(vary(i) if vary is not None else {})}
            for i in range(start, min(start + CHUNK, CONVERSATIONS))])
    big, rest = ids[0], MESSAGES_TOTAL - BIG
    pattern = "پیام شماره {n}: سلام، لطفاً وضعیت سفارش را بگویید"
    for start in range(0, MESSAGES_TOTAL, CHUNK):
        batch = []
        for n in range(start, min(start + CHUNK, MESSAGES_TOTAL)):
            owner = big if n < BIG else ids[1 + (n - BIG) % (CONVERSATIONS - 1)]
            batch.append({"conversation_id": owner, "direction": "in" if n % 2 else "out", "kind": "message",
                          "channel": "webchat", "text": pattern.format(n=n), "author": {"type": "contact"},
                          "created_at": now + timedelta(milliseconds=n)})
        await db.messages.insert_many(batch, ordered=False)
    del rest
    deep = now - timedelta(seconds=DEEP_RANK)
    return big, format_cursor((deep, ids[DEEP_RANK]))


async def timed(call: Callable[[], Awaitable[object]], repeat: int = 15) -> tuple[float, float]:
    await call()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (url, base, agent):
            client, db = connect(url, "bench")
            seeding = time.perf_counter()
            conversation_id, deep_cursor = await seed(db)
            print(f"inbox reads: seeded {CONVERSATIONS:,} conversations and {MESSAGES_TOTAL:,} messages in "
                  f"{time.perf_counter() - seeding:.0f}s")
            deep_at = (await db.conversations.find({}).sort([("last_message_at", DESCENDING)]).skip(DEEP_RANK)
                       .limit(1).to_list(1))[0]["last_message_at"]

            async def get(path: str) -> object:
                async with agent.get(base + path) as response:
                    assert response.status == 200, response.status
                    return await response.read()

            def raw_inbox(before: object = None) -> Callable[[], Awaitable[object]]:
                # The best plain query for the same rows: a range over the hour below the cursor (or
                # now), which holds a full page here, since the embedded server sorts every match in
                # memory.
                query: dict[str, object] = {"status": "open"}
                top = before if isinstance(before, datetime) else utcnow()
                query["last_message_at"] = {"$lt": top, "$gte": top - timedelta(hours=1)}
                return lambda: db.conversations.find(query).sort(
                    [("last_message_at", DESCENDING), ("_id", DESCENDING)]).limit(51).to_list(51)

            async def raw_timeline() -> object:
                return await db.messages.find({"conversation_id": conversation_id}).sort(
                    [("created_at", 1), ("_id", 1)]).to_list(BIG)

            async def raw_tail() -> object:  # what the page shows first: the newest 150 entries
                return await db.messages.find({"conversation_id": conversation_id}).sort(
                    [("created_at", -1), ("_id", -1)]).limit(151).to_list(151)

            rows = [
                ("inbox API, first page of 50", await timed(lambda: get("/api/v1/conversations?limit=50")),
                 await timed(raw_inbox())),
                (f"inbox API, deep page of 50 (after {DEEP_RANK:,})",
                 await timed(lambda: get(f"/api/v1/conversations?limit=50&before={deep_cursor}")),
                 await timed(raw_inbox(deep_at))),
                ("conversation API, 1,000 messages",
                 await timed(lambda: get(f"/api/v1/conversations/{conversation_id}/messages")),
                 await timed(raw_timeline)),
                ("conversation page of 1,000 messages (newest 150 shown)",
                 await timed(lambda: get(f"/inbox/c/{conversation_id}")), await timed(raw_tail)),
            ]
            await client.close()
    for name, (hub50, hub95), (raw50, raw95) in rows:
        ratio = hub50 / raw50
        print(f"{name}: p50 {hub50:.0f} ms, p95 {hub95:.0f} ms | raw query: p50 {raw50:.0f} ms, p95 {raw95:.0f} ms | "
              f"ratio {ratio:.2f} ({'meets' if ratio <= 1.5 else 'above'} the aim of 1.50)")
