"""Turn raw payloads that were kept but never became a message into one.

ingest() keeps the raw payload (with the normalised InboundMessage) before it stores the message; a
process that dies between the two leaves the payload marked pending. This pass, at start-up and every
HUB_RECOVERY_SECONDS on whichever process holds the lease, ingests each payload pending for longer than
HUB_RECOVERY_GRACE_SECONDS (younger ones may still be in flight on a live process) through the same
ingest(), so the dedupe key makes a replay of a message that was stored after all create nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiohttp import web
from bson import ObjectId

from channels.base import stop_tasks
from hub import keys
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import leases, raw

log = logging.getLogger(__name__)

LEASE = "raw-recovery"
PAGE = 100
# Held only while a pass runs (released after it), so a restarted hub is not kept waiting by the lease
# of the process that crashed; renewed after every PASS_LIMIT payloads.
LEASE_SECONDS = 120.0
PASS_LIMIT = 1000


@dataclass
class RecoveryReport:
    recovered: list[ObjectId] = field(default_factory=list)  # messages created from kept payloads
    already_stored: int = 0  # the message existed (the crash came after it); only the marker was missing
    failed: int = 0
    more: bool = False  # stopped at the limit with payloads left

    @property
    def seen(self) -> int:
        return len(self.recovered) + self.already_stored + self.failed


async def recover(hub: Hub, now: datetime, limit: int | None = None,
                  skipped: list[ObjectId] | None = None) -> RecoveryReport:
    """One pass over up to `limit` payloads pending since before the grace period, oldest first.

    `skipped` collects the payloads that failed (not tried again until the next run).
    """
    report = RecoveryReport()
    limit = PASS_LIMIT if limit is None else limit
    cutoff = now - timedelta(seconds=hub.settings.recovery_grace_seconds)
    skipped = [] if skipped is None else skipped
    while (room := limit - report.seen) > 0:
        page = await raw.abandoned(hub.db, cutoff, min(PAGE, room), skip=skipped)
        if not page:
            return report
        handled: list[ObjectId] = []
        for doc in page:
            try:
                result = await ingest(hub, raw.inbound_from(doc), replay_of=doc["_id"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
                skipped.append(doc["_id"])
                report.failed += 1
                set_aside = await raw.replay_failed(hub.db, doc["_id"], reason, now)
                log.warning("kept payload could not be replayed raw=%s set_aside=%s reason=%s", doc["_id"],
                            set_aside, reason)
                continue
            if result.created:
                report.recovered.append(result.message["_id"])
                log.info("recovered a message from its kept payload raw=%s channel=%s message=%s", doc["_id"],
                         doc.get("channel"), result.message["_id"])
            else:
                report.already_stored += 1
            handled.append(doc["_id"])
        # Marked here, awaited: ingest only posts its marker, and the next page must not meet these again.
        await raw.mark_processed(hub.db, handled, utcnow())
    report.more = bool(await raw.abandoned(hub.db, cutoff, 1, skip=skipped))
    return report


class Recovery:
    """The periodic pass on one process at a time."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._task: asyncio.Task[None] | None = None
        # Set once the start-up pass is over (whatever it found): tests that leave payloads behind wait for it.
        self.first_pass_over = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="raw-recovery")

    async def stop(self) -> None:
        await stop_tasks(self._task)
        self._task = None
        with contextlib.suppress(Exception):
            await leases.release(self.hub.db, LEASE, self.hub.process_id)

    async def run_once(self) -> RecoveryReport | None:
        """A pass if this process takes the lease; None while another process runs one."""
        db, owner = self.hub.db, self.hub.process_id
        if not await leases.acquire(db, LEASE, owner, utcnow(), LEASE_SECONDS):
            return None
        skipped: list[ObjectId] = []
        try:
            report = await recover(self.hub, utcnow(), skipped=skipped)
            while report.more and await leases.acquire(db, LEASE, owner, utcnow(), LEASE_SECONDS):
                more = await recover(self.hub, utcnow(), skipped=skipped)
                report.recovered += more.recovered
                report.already_stored += more.already_stored
                report.failed += more.failed
                report.more = more.more
            return report
        finally:
            await leases.release(db, LEASE, owner)

    async def _loop(self) -> None:
        while True:  # the first pass at start-up, then every HUB_RECOVERY_SECONDS (0: at start-up only)
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("recovery pass failed; trying again next time")
            self.first_pass_over.set()
            if self.hub.settings.recovery_seconds <= 0:
                return
            await asyncio.sleep(self.hub.settings.recovery_seconds)


RECOVERY = web.AppKey("recovery", Recovery)


async def recovery_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the recovery pass once the hub (and routing, which ingest needs) is up."""
    recovery = app[RECOVERY] = Recovery(app[keys.HUB])
    recovery.start()
    try:
        yield
    finally:
        await recovery.stop()
