"""Signed Twilio webhook ingest: messages per second validated (X-Twilio-Signature), persisted,
routed and published to a live agent, against the raw insert_one rate of the same database measured
in the same run.

A hub runs as its own process on a fresh embedded database with Twilio switched on; customers post
signed SMS webhooks concurrently, as Twilio does; a lead's SSE stream counts every message event.
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from bench.common import measure_ingest, report

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
    env = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+14155550100"}

    async def send_all(base: str) -> None:
        await post_all(base, signed_webhooks(base))  # the hub's public URL is its own address here

    total = CUSTOMERS * MESSAGES_EACH
    run = await measure_ingest(env, total, send_all)
    print(f"twilio webhook ingest: {CUSTOMERS} customers x {MESSAGES_EACH} signed SMS webhooks: all validated, "
          f"stored and answered in {run.answered:.2f}s, all published to the agent in {run.published:.2f}s")
    report("twilio ingest validated+persisted+published", total / run.published, "msg/s", "raw insert_one",
           run.limit, aim=0.5)
