"""Shared by the benchmarks: a fresh embedded database and the raw insert rate it allows."""

from __future__ import annotations

import asyncio
import time
from typing import Any

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


def report(name: str, value: float, unit: str, limit_name: str, limit: float, aim: float) -> None:
    ratio = value / limit if limit else 0.0
    verdict = "meets" if ratio >= aim else "below"
    print(f"{name}: {value:,.0f} {unit} | {limit_name}: {limit:,.0f} {unit} | ratio {ratio:.2f} "
          f"({verdict} the aim of {aim:.2f})")
