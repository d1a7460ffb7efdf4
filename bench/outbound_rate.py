"""P6: the outbox dispatcher holds a configured send rate against a provider that fails now and then.

A hub runs in this process with Twilio pointed at the loopback fake (tests/fakes/twilio.py), its SMS
sender paced at BENCH_SENDS_PER_SECOND (default 50). The fake answers 10 % of create requests with an
error, evenly: 429 (no Retry-After, so a plain retry), 500 before the message is made, and 500 after it
was made (a success hidden behind a server error: the dispatcher must look it up, not send again).
16 agents queue BENCH_REPLIES replies (default 1,000) across 30 SMS conversations, faster than they can
leave; the run ends when every reply is `sent`. Printed: requests per second at the provider while the
agents queue (the hub and the database shared with them) and then while the dispatcher drains the
backlog alone (until 90 % of all requests were made: the P6 figure), each against the configured rate;
duplicates (a reply created more than once at the provider) and lost replies (never created, or not
`sent` in the hub).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

RATE = float(os.environ.get("BENCH_SENDS_PER_SECOND", "50"))
WORKERS = int(os.environ.get("BENCH_OUTBOX_WORKERS", "4"))  # HUB_OUTBOX_WORKERS
REPLIES = int(os.environ.get("BENCH_REPLIES", "1000"))
CONVERSATIONS = 30
ERROR_SHARE = 0.10


async def main() -> None:
    from channels.base import PHONE, Identity, InboundMessage
    from hub import keys
    from hub import names as model
    from hub.app import create_app
    from hub.clock import utcnow
    from hub.db.embedded import EmbeddedDatabase
    from hub.inbound.ingest import ingest
    from hub.outbound import replies
    from hub.settings import Settings
    from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
    from tests.support.agents import make_user
    from tests.support.polling import poll_until
    from tests.support.servers import free_port

    class FlakyTwilio(FakeTwilio):
        """Every create request timed; one in ten answered with an error (seeded, so runs compare)."""

        def __init__(self) -> None:
            super().__init__()
            self.rng = random.Random(15)
            self.request_times: list[float] = []
            self.injected: Counter[str] = Counter()

        async def _create_message(self, request: web.Request) -> web.Response:
            self.request_times.append(time.perf_counter())
            if self.rng.random() < ERROR_SHARE:
                kind = self.rng.choice(("429", "500", "500 after create"))
                self.injected[kind] += 1
                status = 429 if kind == "429" else 500
                self.answer_next(status, 20429 if status == 429 else 20500, "injected by the benchmark",
                                 after_create=kind == "500 after create")
            return await super()._create_message(request)

    from pymongo import monitoring

    from bench.ingest_profile import Profile
    from hub.store.db import _INDEXES

    profile = Profile("bench", {c: [dict(i.document) for i in models] for c, models in _INDEXES.items()})
    monitoring.register(profile)
    fake = FlakyTwilio()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        port = free_port()
        os.environ.update({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                           "TWILIO_SMS_FROM": "+14155550100", "TWILIO_API_BASE": fake.base_url,
                           "TWILIO_SMS_PER_SECOND": str(RATE)})
        settings = Settings(_env_file=None, mongo_url=url, db_name="bench", data_dir=Path(tmp),  # type: ignore[call-arg]
                            secret_key="bench", public_url=f"http://127.0.0.1:{port}", log_level="WARNING",
                            outbox_backoff_seconds=0.5, outbox_workers=WORKERS)
        runner = web.AppRunner(create_app(settings))
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            hub = runner.app[keys.HUB]
            agent = await make_user(hub.db, "agent@bench.test", role="lead")
            conversations: list[Any] = []
            for n in range(CONVERSATIONS):
                arrived = await ingest(hub, InboundMessage(
                    channel="sms", identity=Identity(PHONE, f"+1415555{n:04d}"), text="hello",
                    received_at=utcnow(), external_id=f"SM-in-{n}", raw={}))
                conversations.append(arrived.conversation)
            started = time.perf_counter()
            profile.on = True
            numbers = iter(range(REPLIES))

            async def agent_writes() -> None:  # 16 agents at once, so the outbox fills faster than it drains
                for n in numbers:
                    await replies.post(hub, agent, conversations[n % CONVERSATIONS], f"reply {n}", client_key=f"r{n}")

            await asyncio.gather(*(agent_writes() for _ in range(16)))
            queued_for = time.perf_counter() - started

            async def unsent() -> int:
                return await hub.db[model.MESSAGES].count_documents(
                    {"direction": "out", "status": {"$ne": "sent"}, "text": {"$regex": "^reply "}})

            async def settled() -> bool:
                return await unsent() == 0

            with contextlib.suppress(AssertionError, TimeoutError):
                await poll_until(settled, "every reply sent", timeout=300, every=0.5)
            elapsed = time.perf_counter() - started
            profile.on = False
            left = await unsent()
        finally:
            await runner.cleanup()
            await database.stop()
            await fake.close()
    bodies = Counter(str(m.get("body")) for m in fake.created if str(m.get("body")).startswith("reply "))
    duplicates = sum(n - 1 for n in bodies.values() if n > 1)
    lost = REPLIES - len(bodies) + left
    times = sorted(fake.request_times)
    queue_end = started + queued_for
    # While the agents queue, the hub and the database also take their 16 writers; once the queue is full
    # the dispatcher works a backlog alone (until 90 % of all requests, so the tail of retries is left out).
    mixed = [t for t in times if t <= queue_end]
    drain = [t for t in times[: max(2, int(len(times) * 0.9))] if t > queue_end]
    print(f"outbound dispatcher ({WORKERS} workers): {REPLIES} replies over {CONVERSATIONS} SMS conversations, "
          f"queued in {queued_for:.1f}s, all settled in {elapsed:.1f}s; {len(times)} provider requests, injected "
          f"{dict(fake.injected)}")
    ops = sum(profile.ops.values())
    documents, entries = sum(profile.documents.values()), sum(profile.index_entries.values())
    print(f"  per reply (queued and sent): operations {ops / REPLIES:.2f} | documents written "
          f"{documents / REPLIES:.2f} | index entries {entries / REPLIES:.2f}")
    for op, n in profile.ops.most_common(12):
        print(f"    {n / REPLIES:5.2f}  {op}")
    print(f"  while 16 agents queue replies: {_rate(mixed):.1f} requests/s ({len(mixed)} requests; the queue "
          f"itself took {REPLIES / queued_for:.1f} replies/s) | ratio {_rate(mixed) / RATE:.2f}")
    achieved = _rate(drain)
    print(f"P6 outbound (a backlog, drained): {achieved:.1f} requests/s | configured {RATE:.0f}/s | ratio "
          f"{achieved / RATE:.2f} | duplicates {duplicates} | lost {lost} "
          f"({'meets' if duplicates == 0 and lost == 0 else 'misses'} 0 duplicates, 0 lost)")


def _rate(times: list[float]) -> float:
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


if __name__ == "__main__":
    asyncio.run(main())
