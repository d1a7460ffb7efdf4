"""Shared by the benchmarks: a fresh embedded database and the raw insert rate it allows."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from bson import ObjectId
from pymongo import AsyncMongoClient

Doc = dict[str, Any]


def message_like(i: int) -> Doc:
    return {"conversation_id": ObjectId(), "contact_id": ObjectId(), "direction": "in", "channel": "webchat",
            "external_id": f"raw-{i}-{ObjectId()}", "text": f"benchmark message {i}", "created_at": time.time()}


async def raw_insert_rate(url: str, count: int = 600, concurrency: int = 8) -> float:
    """Single-document insert_one calls per second into an indexed collection (the database's limit)."""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url)
    coll = client["bench_raw"]["messages"]
    await coll.drop()
    await coll.create_index([("channel", 1), ("external_id", 1)], unique=True)
    counter = iter(range(count))

    async def worker() -> None:
        for i in counter:
            await coll.insert_one(message_like(i))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.drop_database("bench_raw")
    await client.close()
    return count / elapsed


async def raw_journaled_insert_rate(url: str, count: int = 1200, concurrency: int = 16) -> float:
    """P1's limit: journaled single-document insert_one calls per second from `concurrency` senders into a
    collection carrying the hub's own indexes of `messages` (hub/store/db.py), documents shaped like a
    customer message."""
    from pymongo import WriteConcern

    from hub.store.db import _INDEXES

    client: AsyncMongoClient[Doc] = AsyncMongoClient(url)
    coll = client["bench_raw"].get_collection("messages", write_concern=WriteConcern(w=1, j=True))
    await coll.drop()
    await coll.create_indexes(_INDEXES["messages"])
    counter = iter(range(count))

    async def worker() -> None:
        for i in counter:
            doc = message_like(i)
            doc["dedupe_key"] = f"webchat:{doc['external_id']}"
            await coll.insert_one(doc)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.drop_database("bench_raw")
    await client.close()
    return count / elapsed


def report(name: str, value: float, unit: str, limit_name: str, limit: float, aim: float) -> None:
    ratio = value / limit if limit else 0.0
    verdict = "meets" if ratio >= aim else "below"
    print(f"{name}: {value:,.0f} {unit} | {limit_name}: {limit:,.0f} {unit} | ratio {ratio:.2f} "
          f"({verdict} the aim of {aim:.2f})")


@dataclass(frozen=True)
class IngestRun:
    limit: float  # raw insert_one per second, same database, same run
    answered: float  # seconds until every sender had its answer (stored)
    published: float  # seconds until the agent's stream had told of every message


@dataclass(frozen=True)
class BenchHub:
    base_url: str
    limit: float  # raw insert_one per second of this database, measured before the hub started
    stream: AsyncIterator[tuple[str, dict[str, Any]]]  # a lead's live stream


@contextlib.asynccontextmanager
async def bench_hub(env: dict[str, str]) -> AsyncIterator[BenchHub]:
    """A hub process on a fresh embedded database, with a lead signed in and listening live."""
    from hub.db.embedded import EmbeddedDatabase
    from tests.support.agents import login, next_event, sse_events
    from tests.support.servers import HubProcess

    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        try:
            limit = await raw_insert_rate(url)
            hub = HubProcess({"HUB_MONGO_URL": url, "HUB_DB_NAME": "bench", "HUB_DATA_DIR": tmp,
                              "HUB_SECRET_KEY": "bench", "HUB_LOG_LEVEL": "WARNING",
                              # A benchmark visitor sends far faster than a person; the limit is not what it measures.
                              "HUB_VISITOR_BURST": "1000000", **env}, ("--demo",))
            await asyncio.to_thread(hub.start)
            try:
                async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent:
                    await login(agent, hub.base_url, "lead@demo.hub", "demo-password")
                    async with agent.get(f"{hub.base_url}/inbox/events") as sse:
                        stream = sse_events(sse)
                        await next_event(stream, "ready", {})
                        yield BenchHub(hub.base_url, limit, stream)
            finally:
                await asyncio.to_thread(hub.stop)
        finally:
            await database.stop()


@contextlib.asynccontextmanager
async def bench_hub_url(tmp: str) -> AsyncIterator[tuple[str, str, aiohttp.ClientSession]]:
    """A hub process on a fresh embedded database: (database url, hub url, a lead's signed-in session)."""
    from hub.db.embedded import EmbeddedDatabase
    from tests.support.agents import login
    from tests.support.servers import HubProcess

    database = EmbeddedDatabase(Path(tmp) / "db")
    url = await database.start()
    try:
        hub = HubProcess({"HUB_MONGO_URL": url, "HUB_DB_NAME": "bench", "HUB_DATA_DIR": tmp,
                          "HUB_SECRET_KEY": "bench", "HUB_LOG_LEVEL": "WARNING", "HUB_VISITOR_BURST": "1000000"},
                         ("--demo",))
        await asyncio.to_thread(hub.start)
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent:
                await login(agent, hub.base_url, "lead@demo.hub", "demo-password")
                yield url, hub.base_url, agent
        finally:
            await asyncio.to_thread(hub.stop)
    finally:
        await database.stop()


def is_new_customer_message(event: str, data: dict[str, Any]) -> bool:
    return event == "messages" and data.get("direction") == "in" and data.get("op") == "insert"


async def measure_ingest(env: dict[str, str], total: int,
                         send_all: Callable[[str], Awaitable[None]]) -> IngestRun:
    """`send_all(base_url)` sends `total` customer messages while the lead's live stream counts them."""
    async with bench_hub(env) as hub:
        started = time.perf_counter()
        answered_at: list[float] = []
        senders = asyncio.ensure_future(send_all(hub.base_url))
        senders.add_done_callback(lambda _: answered_at.append(time.perf_counter()))
        seen = 0
        async for event, data in hub.stream:
            if is_new_customer_message(event, data):
                seen += 1
                if seen == total:
                    break
        published = time.perf_counter() - started
        await senders
        answered = answered_at[0] - started if answered_at else published
        return IngestRun(hub.limit, answered, published)
