"""How soon an agent sees a customer's message at a steady load: from a signed Twilio webhook's post to
the event on a lead's live stream.

One run, one hub: first the ingest maximum (16 concurrent senders post signed SMS webhooks as fast as
the hub answers; a message counts once the lead's stream has it), then a steady load at half that
maximum, where every tenth message is the first message of a new customer (a new contact and
conversation, routed before it is stored). Every webhook is its own request, as Twilio sends them.
Prints p50/p95/p99 of all messages and of the first messages beside the aims (p95 100 ms, p99 250 ms).

`BENCH_LATENCY_RATE` fixes the steady rate (messages per second) instead of half the measured maximum;
`BENCH_LATENCY_SECONDS` (6), `BENCH_LATENCY_NEW_EVERY` (10) and `BENCH_LATENCY_BURST` (webhooks in the
maximum's burst, 200) make it shorter or change the mix.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

from bench.common import BenchHub, bench_hub, is_new_customer_message
from bench.ingest_twilio import ACCOUNT_SID, AUTH_TOKEN

FIXED_RATE = float(os.environ.get("BENCH_LATENCY_RATE", "0"))
SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "6"))
NEW_EVERY = max(1, int(os.environ.get("BENCH_LATENCY_NEW_EVERY", "10")))
BURST = int(os.environ.get("BENCH_LATENCY_BURST", "200"))
SENDERS = 16  # the burst's concurrent senders
RETURNING = 20  # customers of the steady load whose conversations are open before the clock starts
TWILIO = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+14155550100"}


class Webhooks:
    """Signed SMS webhooks to one hub; `post` returns once the hub answered 200."""

    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http
        self.validator = RequestValidator(AUTH_TOKEN)
        self.count = 0

    def signed(self, customer: int, text: str) -> tuple[bytes, str]:
        self.count += 1
        params = {"MessageSid": f"SM{customer:06d}{self.count:08d}" + "0" * 18, "AccountSid": ACCOUNT_SID,
                  "From": f"+1415{customer:07d}", "To": "+14155550100", "NumMedia": "0", "Body": text,
                  "ApiVersion": "2010-04-01"}
        return urlencode(params).encode(), self.validator.compute_signature(f"{self.base}/webhooks/twilio", params)

    async def post(self, body: bytes, signature: str) -> None:
        async with self.http.post(f"{self.base}/webhooks/twilio", data=body, headers={
                "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}) as response:
            if response.status != 200:
                raise RuntimeError(f"webhook answered {response.status}: {await response.text()}")


async def heard(hub: BenchHub, sent: dict[str, float], total: int) -> dict[str, float]:
    """Milliseconds from post to the lead's stream, by text, until `total` of `sent` were heard."""
    delays: dict[str, float] = {}
    async for event, data in hub.stream:
        text = data.get("text")
        if is_new_customer_message(event, data) and text in sent and text not in delays:
            delays[text] = (time.perf_counter() - sent[text]) * 1000
            if len(delays) == total:
                break
    return delays


async def open_conversations(hub: BenchHub, hooks: Webhooks, customers: range) -> None:
    sent = {f"hello from {c}": time.perf_counter() for c in customers}
    posts = [asyncio.create_task(hooks.post(*hooks.signed(c, f"hello from {c}"))) for c in customers]
    await heard(hub, sent, len(sent))
    await asyncio.gather(*posts)


async def ingest_maximum(hub: BenchHub, hooks: Webhooks) -> float:
    """Webhooks per second from the burst's first post until the lead's stream had all of them."""
    await open_conversations(hub, hooks, range(SENDERS))
    webhooks = [(f"burst {n}", hooks.signed(n % SENDERS, f"burst {n}")) for n in range(BURST)]
    queue = iter(webhooks)

    async def sender() -> None:
        for _text, (body, signature) in queue:
            await hooks.post(body, signature)

    started = time.perf_counter()
    senders = asyncio.gather(*(sender() for _ in range(SENDERS)))
    await heard(hub, {text: 0.0 for text, _ in webhooks}, BURST)
    elapsed = time.perf_counter() - started
    await senders
    return BURST / elapsed


async def steady(hooks: Webhooks, rate: float, total: int, sent: dict[str, float], first: set[str]) -> None:
    """`total` webhooks at `rate`, every NEW_EVERY-th from a customer who never wrote before."""
    prepared: list[tuple[str, tuple[bytes, str]]] = []
    for n in range(total):
        new = n % NEW_EVERY == NEW_EVERY - 1
        customer = 100_000 + n if new else 1_000 + n % RETURNING
        text = f"latency {n}"
        if new:
            first.add(text)
        prepared.append((text, hooks.signed(customer, text)))
    loop = asyncio.get_running_loop()
    posts: list[asyncio.Task[None]] = []
    start = loop.time()
    for n, (text, webhook) in enumerate(prepared):
        await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
        sent[text] = time.perf_counter()
        posts.append(asyncio.create_task(hooks.post(*webhook)))
    await asyncio.gather(*posts)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share + 0.5) - 1))] if ordered else 0.0


async def main() -> None:
    async with bench_hub(TWILIO) as hub, aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        hooks = Webhooks(hub.base_url, http)
        maximum = await ingest_maximum(hub, hooks)
        rate = FIXED_RATE or maximum / 2
        total = max(NEW_EVERY, int(rate * SECONDS))
        await open_conversations(hub, hooks, range(1_000, 1_000 + RETURNING))
        sent: dict[str, float] = {}
        first: set[str] = set()
        sender = asyncio.create_task(steady(hooks, rate, total, sent, first))
        delays = await heard(hub, sent, total)
        with contextlib.suppress(asyncio.CancelledError):
            await sender
    every = list(delays.values())
    firsts = [delays[text] for text in first]
    p95, p99 = percentile(every, 0.95), percentile(every, 0.99)
    print(f"live latency: ingest maximum {maximum:.0f} msg/s ({BURST} signed Twilio webhooks from {SENDERS} "
          f"concurrent senders, stored and on the lead's stream); steady load {rate:.0f} msg/s for {SECONDS:.0f}s "
          f"({total} webhooks, {len(firsts)} of them first messages of new conversations), post to the lead's stream:")
    print(f"  all: p50 {percentile(every, 0.5):.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max {max(every):.0f} ms "
          f"| aims: p95 100 ms, p99 250 ms | p95/aim {p95 / 100:.2f}, p99/aim {p99 / 250:.2f}")
    print(f"  first messages: p50 {percentile(firsts, 0.5):.0f} ms, p95 {percentile(firsts, 0.95):.0f} ms, "
          f"max {max(firsts):.0f} ms; returning customers' p95 "
          f"{percentile([d for t, d in delays.items() if t not in first], 0.95):.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
