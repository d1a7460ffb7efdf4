"""1,000 live agent connections on one hub process: every stream hears one new customer message.

Prints how long until the last of the streams had the event, and the hub process's memory
(resident set) before and after the connections opened."""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
import time

import aiohttp

from bench.common import bench_hub_url

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "1000"))


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read())
    return int(match.group(1)) / 1024 if match else 0.0


def hub_pid(port: str) -> int:
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/environ", "rb") as env:
                    if f"HUB_PORT={port}".encode() in env.read():
                        return int(entry)
            except OSError:
                continue
    raise RuntimeError("hub process not found")


async def listen(agent: aiohttp.ClientSession, base: str, ready: asyncio.Event, opened: list[int],
                 heard: list[float], text: str) -> None:
    async with agent.get(f"{base}/inbox/events", timeout=aiohttp.ClientTimeout(total=None)) as stream:
        opened.append(1)
        if len(opened) == CONNECTIONS:
            ready.set()
        async for raw in stream.content:
            if raw.startswith(b"data:") and text.encode() in raw:
                heard.append(time.perf_counter())
                return


async def main() -> None:
    text = "اتصال‌های زنده"
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (_url, base, agent):
            pid = hub_pid(base.rsplit(":", 1)[1])
            before = rss_mb(pid)
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector, cookie_jar=agent.cookie_jar) as many:
                ready = asyncio.Event()
                opened: list[int] = []
                heard: list[float] = []
                listeners = [asyncio.create_task(listen(many, base, ready, opened, heard, text))
                             for _ in range(CONNECTIONS)]
                await asyncio.wait_for(ready.wait(), 120)
                after = rss_mb(pid)
                await asyncio.sleep(3)  # let the presence writes of 1,000 arrivals settle first
                async with aiohttp.ClientSession() as visitor, visitor.ws_connect(
                        base.replace("http", "ws") + "/webchat/ws") as ws:
                    await ws.receive_json()
                    sent = time.perf_counter()
                    await ws.send_str(json.dumps({"type": "message", "text": text, "client_id": "fanout"}))
                    while (await ws.receive_json()).get("type") != "ack":
                        pass
                    acked = time.perf_counter()
                    await asyncio.wait_for(asyncio.gather(*listeners), 120)
    print(f"live connections: {CONNECTIONS} agent streams on one process; one customer message reached all of "
          f"them in {(max(heard) - sent) * 1000:.0f} ms (stored in {(acked - sent) * 1000:.0f} ms, first stream "
          f"{(min(heard) - sent) * 1000:.0f} ms); hub memory "
          f"{before:.0f} MB before, {after:.0f} MB with the streams open ({(after - before) * 1024 / CONNECTIONS:.0f} "
          f"kB each)")
