"""Sends queued replies through their channel, with leases, retries, backoff and jitter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

from channels.base import Attachment, ChannelError, ChannelRateLimited, Identity, OutboundMessage
from hub.clock import utcnow
from hub.context import Hub
from hub.store import messages
from hub.store.db import Doc

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 15 * 60
SEND_TIMEOUT_SECONDS = 60


def backoff_seconds(attempt: int, base: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: base * 2^(attempt-1), spread over 50-150%, capped."""
    delay = min(base * (2 ** max(attempt - 1, 0)), MAX_BACKOFF_SECONDS)
    return float(delay * rng.uniform(0.5, 1.5))


class Dispatcher:
    def __init__(self, hub: Hub, workers: int = 4) -> None:
        self.hub = hub
        self.workers = workers
        self.rng = random.Random()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(i), name=f"dispatcher-{i}") for i in range(self.workers)]

    async def stop(self) -> None:
        # The driver can turn a cancel into another error (seen with the database gone); the flag
        # still ends the loop.
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            # A cancel that lands inside a driver call can be swallowed there; ask again until it ends.
            while not task.done():
                await asyncio.wait({task}, timeout=0.5)
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _work(self, index: int) -> None:
        settings = self.hub.settings
        while not self._stopping:
            try:
                leased = await messages.lease_due(
                    self.hub.db, self.hub.process_id, utcnow(), settings.outbox_lease_seconds
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox lease failed")
                await asyncio.sleep(settings.outbox_poll_seconds)
                continue
            if leased is None:
                self.hub.outbox_wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.hub.outbox_wakeup.wait(), settings.outbox_poll_seconds)
                continue
            await self.deliver(leased)

    async def deliver(self, doc: Doc) -> None:
        """Send one leased message and record the outcome."""
        hub, owner, now = self.hub, self.hub.process_id, utcnow()
        channel = hub.channel(doc["channel"])
        if channel is None:
            await messages.mark_failed(hub.db, doc["_id"], f"the {doc['channel']} channel is not configured",
                                       now, owner)
            return
        outbound = OutboundMessage(
            message_id=str(doc["_id"]),
            conversation_id=str(doc["conversation_id"]),
            contact_id=str(doc["contact_id"]),
            channel=doc["channel"],
            to=_identity(doc),
            text=doc["text"],
            attachments=tuple(Attachment(**a) for a in doc.get("attachments") or []),
            extras=doc.get("extras") or {},
        )
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                result = await channel.send(outbound)
        except ChannelError as exc:
            await self._failed_attempt(doc, exc.reason, exc.transient,
                                       exc.retry_after if isinstance(exc, ChannelRateLimited) else None)
            return
        except TimeoutError:
            await self._failed_attempt(doc, f"the {doc['channel']} provider did not answer in time", True, None)
            return
        except Exception as exc:
            log.exception("channel send crashed channel=%s message=%s", doc["channel"], doc["_id"])
            await self._failed_attempt(doc, f"unexpected error: {exc}", True, None)
            return
        await messages.mark_sent(hub.db, doc["_id"], owner, result.provider_id, result.status, utcnow())

    async def _failed_attempt(self, doc: Doc, reason: str, transient: bool, retry_after: float | None) -> None:
        hub, now = self.hub, utcnow()
        attempts = int(doc.get("attempts", 1))
        if not transient:
            await messages.mark_failed(hub.db, doc["_id"], reason, now, hub.process_id)
            return
        if attempts >= hub.settings.outbox_max_attempts:
            await messages.mark_failed(
                hub.db, doc["_id"], f"{reason} (gave up after {attempts} attempts)", now, hub.process_id
            )
            return
        delay = retry_after if retry_after is not None else backoff_seconds(
            attempts, hub.settings.outbox_backoff_seconds, self.rng
        )
        log.info("send failed, retrying message=%s attempt=%d in=%.1fs reason=%s", doc["_id"], attempts, delay,
                 reason)
        await messages.schedule_retry(hub.db, doc["_id"], hub.process_id, reason, now + timedelta(seconds=delay),
                                      now)


def _identity(doc: Doc) -> Identity:
    to = doc.get("to") or {}
    return Identity(str(to.get("kind", "")), str(to.get("value", "")))
