"""Sends queued replies through their channel, once.

A worker leases a batch of due rows under a unique id (never the process id: all of a process's workers
share that), renews the lease while it sends them side by side, records each attempt's start before
its request leaves, and writes each outcome only while it still owns the row. Starts and outcomes of all
workers go to the database in bulk (hub/store/bulk_writes.py), each still conditional on its owner.
An attempt whose outcome was never recorded (a crash, or no answer in time) is settled before any
resend: a channel that can look it up at the provider does (`Reconciler`); one that cannot sends
once more, with the message marked "may have been delivered", and never a third time blindly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from channels.base import (
    Attachment,
    Channel,
    ChannelError,
    ChannelRateLimited,
    Choice,
    Identity,
    OutboundMessage,
    Reconciler,
    SendResult,
    UnsettledAttempt,
    stop_tasks,
)
from hub.clock import utcnow
from hub.outbound import surveys
from hub.runtime import Hub
from hub.store import messages
from hub.store.bulk_writes import GroupedWrites
from hub.store.db import Doc
from hub.store.documents import Message

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 15 * 60
# One attempt (pacing, reconciling, sending) may run this many lease lengths, renewing the lease as it
# goes; past that its outcome counts as unknown. With the default lease of 30 s: one minute.
SEND_TIMEOUT_LEASES = 2
# Replies a worker leases at once (one look and one write for all), then sends side by side: the look at
# the due rows costs the embedded server about as much as twenty single writes.
LEASE_BATCH = 16

UNCERTAIN = ("may have been delivered: an earlier attempt got no answer from {channel} (a crash or a "
             "timeout), and {channel} cannot be asked whether it arrived, so the reply was sent once more")
GAVE_UP_UNCERTAIN = ("may have been delivered: two attempts got no answer from {channel}, which cannot be asked "
                     "whether they arrived; not sent a third time so the customer does not get it again and "
                     "again. Ask the customer, then retry if they have nothing")


def backoff_seconds(attempt: int, base: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: base * 2^(attempt-1), spread over 50-150%, capped."""
    delay = min(base * (2 ** max(attempt - 1, 0)), MAX_BACKOFF_SECONDS)
    return float(delay * rng.uniform(0.5, 1.5))


def attempt_owner(process_id: str) -> str:
    """Unique per attempt; the process id in front says who, in logs and on the row."""
    return f"{process_id}/{uuid.uuid4().hex}"


def unsettled_attempt(doc: Mapping[str, Any]) -> UnsettledAttempt | None:
    """An earlier attempt that started and never recorded how it ended (never this one: each lease has
    a fresh owner, and the row is read before this attempt records its start)."""
    started = doc.get("attempt_started_at")
    earlier = doc.get("attempt_owner")
    if not isinstance(started, datetime) or not isinstance(earlier, str):
        return None
    return UnsettledAttempt(owner=earlier, started_at=started)


class Dispatcher:
    def __init__(self, hub: Hub, workers: int = 4) -> None:
        self.hub = hub
        self.workers = workers
        self.rng = random.Random()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        # Rows a worker of this process is taking or sending: its siblings skip them rather than race
        # for them (each lost race is a wasted conditional write). Other processes still race; the
        # conditional update settles that.
        self._busy: set[ObjectId] = set()
        # Attempt starts and outcomes of all workers, sent in bulk (each one still conditional on its owner).
        self._writes: GroupedWrites = messages.grouped_writes(hub.db)

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(i), name=f"dispatcher-{i}") for i in range(self.workers)]

    async def stop(self) -> None:
        # The driver can turn a cancel into another error (seen with the database gone); the flag
        # still ends the loop.
        self._stopping = True
        await stop_tasks(*self._tasks)
        self._tasks = []
        await self._writes.close()

    async def _work(self, index: int) -> None:
        settings = self.hub.settings
        while not self._stopping:
            owner = attempt_owner(self.hub.process_id)
            # Cleared before looking, so a reply queued while the look is in flight still wakes us.
            self.hub.outbox_wakeup.clear()
            try:
                leased = await messages.lease_batch(self.hub.db, owner, utcnow(), settings.outbox_lease_seconds,
                                                    LEASE_BATCH, busy=self._busy, share=self.workers)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox lease failed")
                await asyncio.sleep(settings.outbox_poll_seconds)
                continue
            if not leased:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.hub.outbox_wakeup.wait(), settings.outbox_poll_seconds)
                continue
            try:
                await self.deliver(leased, owner)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Most likely the database went away while recording an outcome (logged per message). A row
                # keeps its started attempt, so whoever takes it next settles it first; one not started is
                # taken again once its lease runs out. This worker carries on.
                await asyncio.sleep(settings.outbox_poll_seconds)
            finally:
                self._busy.difference_update(d["_id"] for d in leased)

    async def deliver(self, docs: list[Message], owner: str) -> None:
        """Send leased messages (their `lease_owner` is `owner`) side by side, each recording its own outcome:
        a slow provider answer holds up only its own reply. The channel's pacer keeps the rate."""
        held = list(docs)  # the rows still being attempted: the heartbeat keeps their lease

        async def attempt(doc: Message) -> None:
            try:
                await self._attempt(doc, owner)
            finally:
                held.remove(doc)

        heartbeat = asyncio.create_task(self._keep_lease(held, owner), name=f"lease-{owner}")
        try:
            outcomes = await asyncio.gather(*(attempt(doc) for doc in docs), return_exceptions=True)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        failures = [(doc, o) for doc, o in zip(docs, outcomes, strict=True) if isinstance(o, BaseException)]
        for doc, failure in failures:
            if isinstance(failure, asyncio.CancelledError):
                raise failure
            log.error("outbox delivery failed message=%s", doc["_id"], exc_info=failure)
        if failures:
            raise failures[0][1]

    async def _keep_lease(self, held: list[Message], owner: str) -> None:
        """Renew the lease every third of its length, so a slow send is never taken over and sent twice."""
        lease = self.hub.settings.outbox_lease_seconds
        while held:
            await asyncio.sleep(lease / 3)
            rows = list(held)
            try:
                kept = await messages.extend_leases(self.hub.db, rows, owner, utcnow() + timedelta(seconds=lease))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database may be back before the lease runs out
                log.warning("outbox lease renewal failed messages=%s error=%s", [d["_id"] for d in rows], exc)
                continue
            if kept < len(rows):
                log.warning("outbox lease lost while sending messages=%s owner=%s", [d["_id"] for d in rows],
                            owner)

    async def _write(self, doc: Mapping[str, Any], owner: str, update: tuple[Doc, Doc],
                     done: Callable[[Mapping[str, Any] | None, str], bool]) -> bool:
        """One conditional write of this attempt, in the next bulk; whether it held (read back when the bulk's
        count cannot say)."""
        if await self._writes.write(*update):
            return True
        return done(await messages.read_row(self.hub.db, doc), owner)

    @property
    def send_timeout(self) -> float:
        return SEND_TIMEOUT_LEASES * self.hub.settings.outbox_lease_seconds

    async def _attempt(self, doc: Mapping[str, Any], owner: str) -> None:
        hub = self.hub
        channel = hub.channel(doc["channel"])
        if channel is None:
            await messages.mark_failed(hub.db, doc, f"the {doc['channel']} channel is not configured",
                                       utcnow(), owner)
            return
        if await surveys.withheld(hub, doc, owner, utcnow()):  # a survey whose conversation was reopened
            return
        outbound = _outbound(doc)
        earlier = unsettled_attempt(doc)
        if earlier is not None and not await self._settle_earlier(doc, owner, channel, outbound, earlier):
            return
        started = messages.attempt_started(doc, owner, int(doc.get("attempts", 1)), utcnow())
        if not await self._write(doc, owner, started, messages.attempt_started_by):
            log.warning("outbox row taken by another attempt before sending message=%s", doc["_id"])
            return
        try:
            async with asyncio.timeout(self.send_timeout):
                result = await channel.send(outbound)
        except ChannelError as exc:
            await self._failed_attempt(doc, owner, exc.reason, exc.transient, _retry_after(exc), exc.maybe_sent)
            return
        except TimeoutError:
            await self._failed_attempt(doc, owner, f"the {doc['channel']} provider did not answer in time", True,
                                       None, True)
            return
        except Exception as exc:
            log.exception("channel send crashed channel=%s message=%s", doc["channel"], doc["_id"])
            await self._failed_attempt(doc, owner, f"unexpected error: {exc}", True, None, True)
            return
        await self._record_sent(doc, owner, result, adopted=False)

    async def _settle_earlier(self, doc: Mapping[str, Any], owner: str, channel: Channel, outbound: OutboundMessage,
                              earlier: UnsettledAttempt) -> bool:
        """True to send now; False when the row was settled or rescheduled instead."""
        hub, name = self.hub, doc["channel"]
        if isinstance(channel, Reconciler):
            try:
                async with asyncio.timeout(self.send_timeout):
                    found = await channel.reconcile(outbound, earlier)
            except Exception as exc:
                if not isinstance(exc, ChannelError | TimeoutError):
                    log.exception("reconcile crashed channel=%s message=%s", name, doc["_id"])
                reason = exc.reason if isinstance(exc, ChannelError) else "no answer in time"
                # Still unsettled: the next attempt asks again rather than sending blindly.
                await self._failed_attempt(doc, owner, f"could not ask {name} whether an earlier attempt "
                                           f"arrived ({reason})", True, _retry_after(exc), True)
                return False
            if found is not None:
                log.info("earlier attempt found at the provider, adopted message=%s attempt=%s provider_id=%s",
                         doc["_id"], earlier.owner, found.provider_id)
                await self._record_sent(doc, owner, found, adopted=True)
                return False
            log.info("earlier attempt left no trace at the provider, sending message=%s attempt=%s",
                     doc["_id"], earlier.owner)
            return True
        if int(doc.get("uncertain_resends") or 0) >= 1:
            log.warning("second unsettled attempt on a channel that cannot reconcile, not resent message=%s",
                        doc["_id"])
            await messages.mark_failed(hub.db, doc, GAVE_UP_UNCERTAIN.format(channel=name), utcnow(), owner)
            return False
        log.warning("earlier attempt unsettled and %s cannot be asked; resending once message=%s", name, doc["_id"])
        return await messages.mark_uncertain(hub.db, doc, owner, UNCERTAIN.format(channel=name), utcnow())

    async def _record_sent(self, doc: Mapping[str, Any], owner: str, result: SendResult, *, adopted: bool) -> None:
        update = messages.sent_update(result.provider_id, result.status, utcnow(), adopted=adopted)
        if not await self._write(doc, owner, messages.sent(doc, owner, update), messages.outcome_recorded_by):
            # Another attempt owns the row now; its outcome stands, this one is only reported.
            log.warning("stale attempt's send not recorded message=%s owner=%s provider_id=%s", doc["_id"], owner,
                        result.provider_id)

    async def _failed_attempt(self, doc: Mapping[str, Any], owner: str, reason: str, transient: bool,
                              retry_after: float | None, outcome_unknown: bool) -> None:
        hub, now = self.hub, utcnow()
        attempts = int(doc.get("attempts", 1))
        if not transient or attempts >= hub.settings.outbox_max_attempts:
            final = reason if not transient else f"{reason} (gave up after {attempts} attempts)"
            if transient and outcome_unknown:
                final += "; the last one may have been delivered"
            if not await self._write(doc, owner, messages.failed(doc, final, now, owner),
                                     messages.outcome_recorded_by):
                log.warning("stale attempt's failure not recorded message=%s owner=%s reason=%s", doc["_id"],
                            owner, reason)
            return
        delay = retry_after if retry_after is not None else backoff_seconds(
            attempts, hub.settings.outbox_backoff_seconds, self.rng
        )
        log.info("send failed, retrying message=%s attempt=%d in=%.1fs outcome_unknown=%s reason=%s", doc["_id"],
                 attempts, delay, outcome_unknown, reason)
        retry = messages.retry(doc, owner, reason, now + timedelta(seconds=delay), now,
                               outcome_unknown=outcome_unknown)
        if not await self._write(doc, owner, retry, messages.outcome_recorded_by):
            log.warning("stale attempt's retry not recorded message=%s owner=%s reason=%s", doc["_id"], owner,
                        reason)


def _retry_after(exc: BaseException) -> float | None:
    return exc.retry_after if isinstance(exc, ChannelRateLimited) else None


def _outbound(doc: Mapping[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        message_id=str(doc["_id"]),
        conversation_id=str(doc["conversation_id"]),
        contact_id=str(doc["contact_id"]),
        channel=doc["channel"],
        to=_identity(doc),
        text=doc["text"],
        attachments=tuple(Attachment(**a) for a in doc.get("attachments") or []),
        extras=doc.get("extras") or {},
        choices=tuple(Choice(str(c.get("value")), str(c.get("label")), c.get("url")) for c in doc.get("choices") or []),
    )


def _identity(doc: Mapping[str, Any]) -> Identity:
    to = doc.get("to") or {}
    return Identity(str(to.get("kind", "")), str(to.get("value", "")))
