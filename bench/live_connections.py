"""1,000 live agent streams on one hub process: every stream hears one new customer message.

Prints, from one run: how long until the first and the last stream had the event (the aim: all within
250 ms of the send), the hub process's resident memory per open stream (the aim: 30 kB), and what the
open streams cost the database (its own `serverStatus` opcounters, per second, with no stream open and
with all of them open, both while nothing else happens).

The streams and the visitor run in a separate load-generator process. Where the machine allows it, the
hub is pinned to one core and the generator to another (`os.sched_setaffinity`); the database is left
to the scheduler. Other processes on the machine are not kept off either core, so the output says how
the processes were placed, and the memory and database figures are exact while the times are not.

`BENCH_CONNECTIONS` (1000), `BENCH_STREAM_AGENTS` (how many distinct signed-in agents hold them, 20) and
`BENCH_DB_WINDOW` (seconds each opcounter window lasts, 16: one presence heartbeat at the default 45 s
presence) make it smaller or shorter.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import re
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
from pymongo import AsyncMongoClient
from yarl import URL

from bench.common import bench_hub_url

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "1000"))
AGENTS = max(1, int(os.environ.get("BENCH_STREAM_AGENTS", "20")))
WINDOW = float(os.environ.get("BENCH_DB_WINDOW", "16"))
MESSAGES = max(1, int(os.environ.get("BENCH_FANOUT_MESSAGES", "5")))
TEXT = "اتصال‌های زنده"
OPS = ("insert", "query", "update", "delete", "getmore", "command")


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        match = re.search(r"VmRSS:\s+(\d+) kB", status.read())
    return int(match.group(1)) if match else 0


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


def cores() -> tuple[set[int], set[int]] | None:
    """(the hub's core, the generator's core), or None when this process may use only one core."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    return {allowed[0]}, {allowed[1]}


# --- the load generator (its own process) ------------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    sent: float
    acked: float
    first: float
    last: float
    streams: int


async def _listen(base: str, cookie: str, texts: list[str], opened: list[int], wanted: int, all_open: asyncio.Event,
                  heard: dict[str, list[float]]) -> None:
    """One stream over a plain socket: the generator's work per stream is a line read, nothing more, so
    what the timings show is the hub's. (Chunk-size lines of the chunked body pass by unread.)"""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port), limit=2**20)
    writer.write(f"GET /inbox/events HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                 f"Accept: text/event-stream\r\n\r\n".encode())
    markers = {text: text.encode() for text in texts}
    try:
        while markers and (line := await reader.readline()):
            if line.startswith(b"event: ready"):
                # Written after the stream's subscription exists: from here on it hears every event.
                opened.append(1)
                if len(opened) == wanted:
                    all_open.set()
            elif line.startswith(b"data: {"):
                for text, marker in list(markers.items()):
                    if marker in line:
                        heard[text].append(time.perf_counter())
                        del markers[text]
    finally:
        writer.close()


async def _checkpoint(pipe: Connection, name: str) -> None:
    """Tell the parent where the generator is, and wait until it has measured what it wants there."""
    pipe.send(name)
    await asyncio.to_thread(pipe.recv)


async def _messages(cookies: list[str], base: str, streams: int, texts: list[str],
                    pipe: Connection | None) -> list[Heard]:
    """Open `streams` streams, then one visitor sends `texts`, each once every stream heard the one before."""
    opened: list[int] = []
    heard: dict[str, list[float]] = {text: [] for text in texts}
    all_open = asyncio.Event()
    listeners = [asyncio.create_task(_listen(base, cookies[i % len(cookies)], texts, opened, streams, all_open,
                                             heard)) for i in range(streams)]
    await asyncio.wait_for(all_open.wait(), 300)
    if pipe is not None:
        await _checkpoint(pipe, f"open {streams}")  # the parent measures memory and the database at rest
    found: list[Heard] = []
    async with aiohttp.ClientSession() as visitor, visitor.ws_connect(
            base.replace("http", "ws") + "/webchat/ws") as ws:
        await ws.receive_json()
        for text in texts:
            sent = time.perf_counter()
            await ws.send_str(json.dumps({"type": "message", "text": text, "client_id": text}))
            while (await ws.receive_json()).get("type") != "ack":
                pass
            acked = time.perf_counter()
            for _ in range(1200):
                if len(heard[text]) == streams:
                    break
                await asyncio.sleep(0.1)
            times = heard[text]
            found.append(Heard(sent, acked, min(times), max(times), len(times)))
            await asyncio.sleep(0.5)
        await asyncio.wait_for(asyncio.gather(*listeners), 120)
    return found


async def _generate(base: str, emails: list[str], password: str, pipe: Connection) -> None:
    from tests.support.agents import login

    cookies: list[str] = []
    for email in emails:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            await login(session, base, email, password)
            jar = session.cookie_jar.filter_cookies(URL(base))
            cookies.append("; ".join(f"{name}={morsel.value}" for name, morsel in jar.items()))
    # The same path with one stream open first: what the other streams add is the difference. The
    # hub's first customer message ever warms its caches (routing, sites), so it is not the reference.
    await _messages(cookies, base, 1, ["گرم کردن"], None)
    texts = [f"{TEXT} {n}" for n in range(MESSAGES)]
    alone = await _messages(cookies, base, 1, [f"یک جریان تنها {n}" for n in range(MESSAGES)], pipe)
    await _checkpoint(pipe, "quiet")  # warmed up (sign-ins, one stream, one message), no stream open
    crowd = await _messages(cookies, base, CONNECTIONS, texts, pipe)
    pipe.send((alone, crowd))


def generator(base: str, emails: list[str], password: str, pipe: Connection, core: set[int] | None) -> None:
    if core is not None:
        os.sched_setaffinity(0, core)
    asyncio.run(_generate(base, emails, password, pipe))


# --- the run -----------------------------------------------------------------------------------------


async def opcounters(client: AsyncMongoClient[dict[str, Any]]) -> dict[str, int]:
    status = await client.admin.command("serverStatus")
    counters = status.get("opcounters") or {}
    return {op: int(counters.get(op, 0) or 0) for op in OPS}


async def db_rate(client: AsyncMongoClient[dict[str, Any]], seconds: float) -> dict[str, float]:
    """Database operations per second over `seconds` (this reading's own serverStatus calls taken off)."""
    start = await opcounters(client)
    await asyncio.sleep(seconds)
    end = await opcounters(client)
    rates = {op: (end[op] - start[op]) / seconds for op in OPS}
    rates["command"] = max(0.0, rates["command"] - 1 / seconds)
    return rates


def _rates(rates: dict[str, float]) -> str:
    shown = [f"{op} {rates[op]:.2f}" for op in OPS if rates[op] >= 0.005]
    return f"{sum(rates.values()):.2f}/s ({', '.join(shown) or 'none'})"


async def _recv(pipe: Connection) -> Any:
    return await asyncio.to_thread(pipe.recv)


async def _expect(pipe: Connection, name: str) -> None:
    said = await _recv(pipe)
    if said != name:
        raise RuntimeError(f"the load generator said {said!r}, not {name!r}")


async def main() -> None:
    from tests.support.agents import PASSWORD, make_user

    placement = cores()
    with tempfile.TemporaryDirectory() as tmp:
        async with bench_hub_url(tmp) as (url, base, _agent):
            pid = hub_pid(base.rsplit(":", 1)[1])
            if placement is not None:
                os.sched_setaffinity(pid, placement[0])
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
            emails = [f"stream{i}@bench.hub" for i in range(AGENTS)]
            for email in emails:
                await make_user(client["bench"], email, role="lead")
            here, there = multiprocessing.get_context("spawn").Pipe()
            process = multiprocessing.get_context("spawn").Process(
                target=generator, args=(base, emails, PASSWORD, there, placement[1] if placement else None))
            process.start()
            try:
                await _expect(here, "open 1")
                one = await db_rate(client, WINDOW)
                here.send("measured")
                await _expect(here, "quiet")
                before = rss_kb(pid)
                idle = await db_rate(client, WINDOW)
                here.send("measured")
                await _expect(here, f"open {CONNECTIONS}")
                await asyncio.sleep(3)  # the arrivals' presence writes and first rights check settle
                after = rss_kb(pid)
                busy = await db_rate(client, WINDOW)
                here.send("measured")
                alone, heard = await _recv(here)
            finally:
                process.join(30)
                if process.is_alive():
                    process.kill()
                await client.close()
    placed = (f"hub pinned to core {min(placement[0])}, load generator (streams and visitor) to core "
              f"{min(placement[1])}, database unpinned; other processes on the machine were not kept off"
              if placement else "one core only: hub and load generator share it")
    per_stream = (after - before) / CONNECTIONS

    def ms(values: list[float]) -> str:
        ordered = sorted(values)
        return f"median {ordered[len(ordered) // 2] * 1000:.0f} ms (max {ordered[-1] * 1000:.0f})"

    fanout = [h.last - h.first for h in heard]
    reach = sorted(h.last - h.sent for h in heard)[len(heard) // 2] * 1000
    print(f"live connections: {CONNECTIONS} streams of {AGENTS} agents on one hub process ({placed}); "
          f"{MESSAGES} messages, one after the other, from one visitor (the first opens a conversation)")
    print(f"  {CONNECTIONS} streams open: first stream to last {ms(fanout)} | aim: all within 250 ms | "
          f"ratio {sorted(fanout)[len(fanout) // 2] * 1000 / 250:.2f}; send to the last stream "
          f"{ms([h.last - h.sent for h in heard])}, "
          f"to the first {ms([h.first - h.sent for h in heard])}, to the acknowledgement "
          f"{ms([h.acked - h.sent for h in heard])}; streams that heard each: {min(h.streams for h in heard)}")
    print(f"  one stream open (same run): send to the stream {ms([h.last - h.sent for h in alone])}, to the "
          f"acknowledgement {ms([h.acked - h.sent for h in alone])} | send to all, {CONNECTIONS} streams / one: "
          f"{reach / (sorted(h.last - h.sent for h in alone)[len(alone) // 2] * 1000):.2f}")
    print(f"  hub memory {before / 1024:.0f} MB before, {after / 1024:.0f} MB with the streams open: "
          f"{per_stream:.1f} kB per stream | aim: 30 kB | ratio {per_stream / 30:.2f}")
    print(f"  database operations, nothing else happening: no stream open {_rates(idle)}; one open "
          f"{_rates(one)}; {CONNECTIONS} open {_rates(busy)}; what grows with the count ({CONNECTIONS} open minus one) "
          f"{sum(busy.values()) - sum(one.values()):+.2f}/s")


if __name__ == "__main__":
    asyncio.run(main())
