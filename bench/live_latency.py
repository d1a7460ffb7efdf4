"""How soon an agent sees a customer's message, at a steady load: from the visitor's send to the
event on a lead's live stream. Printed beside the 100 ms aim, at a load of half the database's raw
insert rate scaled by the ingest ratio we reach (so the hub is busy but not saturated)."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time

import aiohttp

from bench.common import bench_hub, is_new_customer_message

RATE = float(os.environ.get("BENCH_LATENCY_RATE", "50"))  # messages per second, all visitors together
SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "6"))
VISITORS = 10


async def paced_visitor(base: str, index: int, rate: float, count: int, sent: dict[str, float]) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(base.replace("http", "ws") + "/webchat/ws") as ws:
        await ws.receive_json()
        await asyncio.sleep(index / (rate * VISITORS))  # spread the visitors over one period
        for n in range(count):
            text = f"latency {index}-{n}"
            sent[text] = time.perf_counter()
            await ws.send_str(json.dumps({"type": "message", "text": text, "client_id": f"{index}-{n}"}))
            await asyncio.sleep(1 / rate)


async def main() -> None:
    per_visitor = RATE / VISITORS
    count = int(per_visitor * SECONDS)
    total = count * VISITORS
    sent: dict[str, float] = {}
    delays: list[float] = []
    async with bench_hub({}) as hub:
        senders = asyncio.gather(*(paced_visitor(hub.base_url, i, per_visitor, count, sent) for i in range(VISITORS)))
        async for event, data in hub.stream:
            if is_new_customer_message(event, data) and data.get("text") in sent:
                delays.append((time.perf_counter() - sent[data["text"]]) * 1000)
                if len(delays) == total:
                    break
        await senders
    delays.sort()
    p50, p95 = statistics.median(delays), delays[int(len(delays) * 0.95) - 1]
    print(f"live latency at {RATE:.0f} msg/s for {SECONDS:.0f}s ({total} messages): p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, max {delays[-1]:.0f} ms | aim: under 100 ms | p95/aim {p95 / 100:.2f}")
