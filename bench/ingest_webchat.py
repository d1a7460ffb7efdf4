"""Website-chat ingest: messages per second persisted and published to a live agent, against the raw
insert_one rate of the same database measured in the same run.

A hub runs as its own process on a fresh embedded database; visitors send over WebSockets; a lead's
SSE stream counts every message event. A message counts when the agent has been told about it.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import raw_insert_rate, report
from hub.embedded_db import EmbeddedDatabase
from tests.support.agents import login, next_event, sse_events
from tests.support.servers import HubProcess

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
    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        try:
            limit = await raw_insert_rate(url)
            hub = HubProcess({"HUB_MONGO_URL": url, "HUB_DB_NAME": "bench", "HUB_DATA_DIR": tmp,
                              "HUB_SECRET_KEY": "bench", "HUB_LOG_LEVEL": "WARNING"}, ("--demo",))
            await asyncio.to_thread(hub.start)
            try:
                total = VISITORS * MESSAGES_EACH
                async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent:
                    await login(agent, hub.base_url, "lead@demo.hub", "demo-password")
                    async with agent.get(f"{hub.base_url}/inbox/events") as sse:
                        stream = sse_events(sse)
                        await next_event(stream, "ready", {})
                        started = time.perf_counter()
                        acked_at: list[float] = []
                        senders = asyncio.gather(*(visitor_burst(hub.base_url, i, MESSAGES_EACH)
                                                   for i in range(VISITORS)))
                        senders.add_done_callback(lambda _: acked_at.append(time.perf_counter()))
                        seen = 0
                        async for event, data in stream:
                            if event == "messages" and data.get("direction") == "in" and data.get("op") == "insert":
                                seen += 1
                                if seen == total:
                                    break
                        elapsed = time.perf_counter() - started
                        await senders
                        acked = acked_at[0] - started if acked_at else elapsed
            finally:
                await asyncio.to_thread(hub.stop)
        finally:
            await database.stop()
    rate = total / elapsed
    print(f"website-chat ingest: {VISITORS} visitors x {MESSAGES_EACH} messages: all stored and acknowledged "
          f"in {acked:.2f}s, all published to the agent in {elapsed:.2f}s")
    report("ingest persisted+published", rate, "msg/s", "raw insert_one", limit, aim=0.5)
