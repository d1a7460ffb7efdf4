"""Website-chat ingest: messages per second persisted and published to a live agent, against the raw
insert_one rate of the same database measured in the same run.

A hub runs as its own process on a fresh embedded database; visitors send over WebSockets; a lead's
SSE stream counts every message event. A message counts when the agent has been told about it.
"""

from __future__ import annotations

import asyncio
import json
import os

import aiohttp

from bench.common import measure_ingest, report

VISITORS = int(os.environ.get("BENCH_VISITORS", "20"))
MESSAGES_EACH = int(os.environ.get("BENCH_MESSAGES", "15"))


async def visitor_burst(base: str, index: int, count: int) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(base.replace("http", "ws") + "/webchat/ws") as ws:
        await ws.receive_json()  # welcome
        for n in range(count):
            await ws.send_str(json.dumps({"type": "message", "text": f"visitor {index} says {n}",
                                          "client_id": f"{index}-{n}"}))
        acked = 0
        while acked < count:
            frame = await ws.receive_json()
            if frame.get("type") == "ack":
                acked += 1


async def main() -> None:
    async def send_all(base: str) -> None:
        await asyncio.gather(*(visitor_burst(base, i, MESSAGES_EACH) for i in range(VISITORS)))

    total = VISITORS * MESSAGES_EACH
    run = await measure_ingest({}, total, send_all)
    print(f"website-chat ingest: {VISITORS} visitors x {MESSAGES_EACH} messages: all stored and acknowledged "
          f"in {run.answered:.2f}s, all published to the agent in {run.published:.2f}s")
    report("ingest persisted+published", total / run.published, "msg/s", "raw insert_one", run.limit, aim=0.5)
