"""Reports at size against the best raw aggregation of the same data on the same database, p50 and p95.

Seeds BENCH_REPORT_CONVERSATIONS conversations (default 5,000, at most 10,000 here: seeding takes a few
minutes on the embedded server), each with its report events as the hub writes them (created, first
response, resolved), then times the overview and agents reports over HTTP against one raw aggregation
each that computes the same counts and durations from the conversations' own timestamps.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any

from bench.common import bench_hub_url
from bench.inbox_reads import timed
from hub import names as model
from hub.clock import utcnow
from hub.store import report_rollups
from hub.store.db import Db, connect

CONVERSATIONS = min(10_000, int(os.environ.get("BENCH_REPORT_CONVERSATIONS", "5000")))
CHUNK = 2_000


async def seed(db: Db) -> None:
    support = await db[model.DEPARTMENTS].find_one({"name": "Support"})
    assert support is not None
    agents = [u["_id"] async for u in db[model.USERS].find({}, {"_id": 1})]
    rng = random.Random(14)
    now = utcnow()
    for start in range(0, CONVERSATIONS, CHUNK):
        conversations, events = [], []
        for i in range(start, min(start + CHUNK, CONVERSATIONS)):
            created = now - timedelta(seconds=rng.randint(60, 20 * 86400))
            first = created + timedelta(seconds=rng.randint(5, 7200))
            resolved = first + timedelta(seconds=rng.randint(60, 86400))
            agent = rng.choice(agents)
            doc: dict[str, Any] = {
                "contact_id": None, "status": "resolved", "department_id": support["_id"],
                "assignee_id": agent, "labels": [], "priority": "normal", "channels": ["webchat"],
                "last_channel": "webchat", "created_at": created, "first_response_at": first,
                "resolved_at": resolved, "routed": True, "contact_name": f"Customer {i}"}
            conversations.append(doc)
        result = await db[model.CONVERSATIONS].insert_many(conversations)
        for cid, doc in zip(result.inserted_ids, conversations, strict=True):
            base = {"conversation_id": cid, "department_id": doc["department_id"], "agent_id": doc["assignee_id"],
                    "channel": "webchat", "labels": [], "priority": "normal"}
            first_s = (doc["first_response_at"] - doc["created_at"]).total_seconds()
            resolve_s = (doc["resolved_at"] - doc["created_at"]).total_seconds()
            events += [
                {**base, "kind": "created", "at": doc["created_at"], "wall_seconds": 0.0, "business_seconds": 0.0},
                {**base, "_id": f"{cid}:first_response", "kind": "first_response", "at": doc["first_response_at"],
                 "wall_seconds": first_s, "business_seconds": first_s},
                {**base, "kind": "resolved", "at": doc["resolved_at"], "wall_seconds": resolve_s,
                 "business_seconds": resolve_s}]
        await db[model.REPORT_EVENTS].insert_many(events, ordered=False)
    # The events went in directly, past the hub's writes that keep the rollups: compute them as a start would.
    await report_rollups.rebuild(db)


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (url, base, lead):
            client, db = connect(url, "bench")
            seeding = time.perf_counter()
            await seed(db)
            print(f"reports: seeded {CONVERSATIONS:,} conversations with their report events in "
                  f"{time.perf_counter() - seeding:.0f}s")
            start = (utcnow() - timedelta(days=40)).date().isoformat()
            period = f"from={start}&tz=UTC"

            async def get(path: str) -> object:
                async with lead.get(base + path) as response:
                    assert response.status == 200, (response.status, await response.text())
                    return await response.read()

            async def raw_overview() -> object:
                # Everything the overview shows, from the conversations' own timestamps in one aggregation.
                rows = await (await db[model.CONVERSATIONS].aggregate([
                    {"$match": {"created_at": {"$gte": utcnow() - timedelta(days=41)}}},
                    {"$project": {"status": 1, "first": {"$subtract": ["$first_response_at", "$created_at"]},
                                  "resolve": {"$subtract": ["$resolved_at", "$created_at"]}}},
                ])).to_list(None)
                firsts = sorted(r["first"] for r in rows if r.get("first") is not None)
                resolves = sorted(r["resolve"] for r in rows if r.get("resolve") is not None)
                return statistics.median(firsts), statistics.median(resolves), len(rows)

            async def raw_agents() -> object:
                return await (await db[model.CONVERSATIONS].aggregate([
                    {"$match": {"created_at": {"$gte": utcnow() - timedelta(days=41)}}},
                    {"$group": {"_id": "$assignee_id", "n": {"$sum": 1},
                                "first": {"$push": {"$subtract": ["$first_response_at", "$created_at"]}}}},
                ])).to_list(None)

            rows = [
                ("reports overview", await timed(lambda: get(f"/api/v1/reports/overview?{period}"), 7),
                 await timed(raw_overview, 7)),
                ("reports agents", await timed(lambda: get(f"/api/v1/reports/agents?{period}"), 7),
                 await timed(raw_agents, 7)),
            ]
            await client.close()
    for name, (hub50, hub95), (raw50, raw95) in rows:
        ratio = hub50 / raw50
        print(f"{name}: p50 {hub50:.0f} ms, p95 {hub95:.0f} ms | raw aggregation: p50 {raw50:.0f} ms, "
              f"p95 {raw95:.0f} ms | ratio {ratio:.2f} ({'meets' if ratio <= 1.5 else 'above'} the aim of 1.50)")


if __name__ == "__main__":
    import asyncio

    asyncio.run(main())
