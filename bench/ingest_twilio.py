"""Signed Twilio webhook ingest: messages per second validated (X-Twilio-Signature), persisted,
routed and published to a live agent, against the raw insert_one rate of the same database measured
in the same run.

A hub runs as its own process on a fresh embedded database with Twilio switched on; customers post
signed SMS webhooks concurrently, as Twilio does; a lead's SSE stream counts every message event.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from bench.common import raw_insert_rate, report
from hub.embedded_db import EmbeddedDatabase
from tests.support.agents import login, next_event, sse_events
from tests.support.servers import HubProcess

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "20"))
MESSAGES_EACH = int(os.environ.get("BENCH_MESSAGES", "15"))
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "bench-auth-token"


def signed_webhooks(public_url: str) -> list[tuple[bytes, str]]:
    """Every customer's messages as (form body, signature), made before the clock starts."""
    validator = RequestValidator(AUTH_TOKEN)
    url = f"{public_url}/webhooks/twilio"
    bodies = []
    for customer in range(CUSTOMERS):
        for n in range(MESSAGES_EACH):
            params = {"MessageSid": f"SM{customer:04d}{n:06d}" + "0" * 22, "AccountSid": ACCOUNT_SID,
                      "From": f"+1415555{customer:04d}", "To": "+14155550100", "NumMedia": "0",
                      "Body": f"customer {customer} says {n}", "ApiVersion": "2010-04-01"}
            bodies.append((urlencode(params).encode(), validator.compute_signature(url, params)))
    return bodies


async def post_all(base: str, webhooks: list[tuple[bytes, str]], concurrency: int = CUSTOMERS) -> None:
    queue = iter(webhooks)
    async with aiohttp.ClientSession() as http:
        async def worker() -> None:
            for body, signature in queue:
                async with http.post(f"{base}/webhooks/twilio", data=body, headers={
                        "X-Twilio-Signature": signature,
                        "Content-Type": "application/x-www-form-urlencoded"}) as response:
                    if response.status != 200:
                        raise RuntimeError(f"webhook answered {response.status}: {await response.text()}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        try:
            limit = await raw_insert_rate(url)
            hub = HubProcess({"HUB_MONGO_URL": url, "HUB_DB_NAME": "bench", "HUB_DATA_DIR": tmp,
                              "HUB_SECRET_KEY": "bench", "HUB_LOG_LEVEL": "WARNING",
                              "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                              "TWILIO_SMS_FROM": "+14155550100"}, ("--demo",))
            webhooks = signed_webhooks(hub.base_url)  # the hub's public URL is its own address here
            await asyncio.to_thread(hub.start)
            try:
                total = len(webhooks)
                async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent:
                    await login(agent, hub.base_url, "lead@demo.hub", "demo-password")
                    async with agent.get(f"{hub.base_url}/inbox/events") as sse:
                        stream = sse_events(sse)
                        await next_event(stream, "ready", {})
                        started = time.perf_counter()
                        answered_at: list[float] = []
                        senders = asyncio.ensure_future(post_all(hub.base_url, webhooks))
                        senders.add_done_callback(lambda _: answered_at.append(time.perf_counter()))
                        seen = 0
                        async for event, data in stream:
                            if event == "messages" and data.get("direction") == "in" and data.get("op") == "insert":
                                seen += 1
                                if seen == total:
                                    break
                        elapsed = time.perf_counter() - started
                        await senders
                        answered = answered_at[0] - started if answered_at else elapsed
            finally:
                await asyncio.to_thread(hub.stop)
        finally:
            await database.stop()
    rate = total / elapsed
    print(f"twilio webhook ingest: {CUSTOMERS} customers x {MESSAGES_EACH} signed SMS webhooks: all validated, "
          f"stored and answered in {answered:.2f}s, all published to the agent in {elapsed:.2f}s")
    report("twilio ingest validated+persisted+published", rate, "msg/s", "raw insert_one", limit, aim=0.5)


if __name__ == "__main__":
    asyncio.run(main())
