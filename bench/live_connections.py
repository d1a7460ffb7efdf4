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

from bench.common import bench_hub_url

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "1000"))
AGENTS = max(1, int(os.environ.get("BENCH_STREAM_AGENTS", "20")))
WINDOW = float(os.environ.get("BENCH_DB_WINDOW", "16"))
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


async def _listen(session: aiohttp.ClientSession, base: str, text: str, opened: list[int], wanted: int,
                  all_open: asyncio.Event, heard: list[float]) -> None:
    async with session.get(f"{base}/inbox/events", timeout=aiohttp.ClientTimeout(total=None)) as stream:
        async for raw in stream.content:
            if raw.startswith(b"event: ready"):
                # Written after the stream's subscription exists: from here on it hears every event.
                opened.append(1)
                if len(opened) == wanted:
                    all_open.set()
            elif raw.startswith(b"data:") and text.encode() in raw:
                heard.append(time.perf_counter())
                return


async def _checkpoint(pipe: Connection, name: str) -> None:
    """Tell the parent where the generator is, and wait until it has measured what it wants there."""
    pipe.send(name)
    await asyncio.to_thread(pipe.recv)


async def _one_message(sessions: list[aiohttp.ClientSession], base: str, streams: int, text: str,
                       pipe: Connection) -> Heard:
    """Open `streams` streams, then one new visitor sends `text`; returns when every stream heard it."""
    opened: list[int] = []
    heard: list[float] = []
    all_open = asyncio.Event()
    listeners = [asyncio.create_task(_listen(sessions[i % len(sessions)], base, text, opened, streams, all_open,
                                             heard)) for i in range(streams)]
    await asyncio.wait_for(all_open.wait(), 300)
    await _checkpoint(pipe, f"open {streams}")  # the parent measures memory and the database at rest
    async with aiohttp.ClientSession() as visitor, visitor.ws_connect(
            base.replace("http", "ws") + "/webchat/ws") as ws:
        await ws.receive_json()
        sent = time.perf_counter()
        await ws.send_str(json.dumps({"type": "message", "text": text, "client_id": text}))
        while (await ws.receive_json()).get("type") != "ack":
            pass
        acked = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*listeners), 120)
    return Heard(sent, acked, min(heard), max(heard), len(heard))


async def _generate(base: str, emails: list[str], password: str, pipe: Connection) -> None:
    from tests.support.agents import login

    sessions: list[aiohttp.ClientSession] = []
    try:
        for email in emails:
            # One connection pool per agent: each stream holds its own connection, as browsers' do.
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                            cookie_jar=aiohttp.CookieJar(unsafe=True))
            sessions.append(session)
            await login(session, base, email, password)
        # The same path with one stream open first: what the other streams add is the difference.
        alone = await _one_message(sessions, base, 1, "یک جریان تنها", pipe)
        await _checkpoint(pipe, "quiet")  # warmed up (sign-ins, one stream, one message), no stream open
        crowd = await _one_message(sessions, base, CONNECTIONS, TEXT, pipe)
        pipe.send((alone, crowd))
    finally:
        for session in sessions:
            await session.close()


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
    reach = (heard.last - heard.sent) * 1000
    print(f"live connections: {CONNECTIONS} streams of {AGENTS} agents on one hub process ({placed})")
    print(f"  one customer message reached all {heard.streams} streams {reach:.0f} ms after the send "
          f"(stored and acknowledged at {(heard.acked - heard.sent) * 1000:.0f} ms, first stream "
          f"{(heard.first - heard.sent) * 1000:.0f} ms, first to last {(heard.last - heard.first) * 1000:.0f} ms) "
          f"| aim: 250 ms | ratio {reach / 250:.2f}")
    print(f"  the same with one stream open (same run): all heard it {(alone.last - alone.sent) * 1000:.0f} ms "
          f"after the send, acknowledged at {(alone.acked - alone.sent) * 1000:.0f} ms | {CONNECTIONS} streams / one "
          f"{(heard.last - heard.sent) / max(1e-9, alone.last - alone.sent):.2f}")
    print(f"  hub memory {before / 1024:.0f} MB before, {after / 1024:.0f} MB with the streams open: "
          f"{per_stream:.1f} kB per stream | aim: 30 kB | ratio {per_stream / 30:.2f}")
    print(f"  database operations, nothing else happening: no stream open {_rates(idle)}; one open "
          f"{_rates(one)}; {CONNECTIONS} open {_rates(busy)}; what grows with the count ({CONNECTIONS} open minus one) "
          f"{sum(busy.values()) - sum(one.values()):+.2f}/s")


if __name__ == "__main__":
    asyncio.run(main())
