"""Is the database answering? One state per hub process, kept by a watcher that also restarts the
embedded database when its process has died.

Requests read the state instead of waiting for the driver: while the database is known down,
webhooks, the API and pages answer 503 with Retry-After at once (SMTP 451), and /healthz turns red
once it has been down longer than HUB_DB_DOWN_LIMIT_SECONDS, so a process supervisor restarts the hub.

The watcher never cancels a driver call: its ping is bounded by the driver's own timeout
(`pymongo.timeout`), because a cancel that lands inside PyMongo's server selection can break the
topology's lock (seen with PyMongo 4.20: `RuntimeError: Lock is not acquired`), after which the client
never recovers and its close hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import pymongo
from pymongo.errors import (
    ConnectionFailure,
    ExecutionTimeout,
    InvalidOperation,
    NetworkTimeout,
    OperationFailure,
    PyMongoError,
    WaitQueueTimeoutError,
    WTimeoutError,
)

from channels.base import stop_tasks
from hub.clock import utcnow
from hub.db.client import Db
from hub.db.embedded import EmbeddedDatabase, EmbeddedDatabaseError

if TYPE_CHECKING:  # annotations only: the running hub sits above this layer
    from hub.runtime import Hub

log = logging.getLogger(__name__)

PING_SECONDS = 1.0  # a healthy ping takes milliseconds; a second is a database that is not there
RESTART_FIRST_DELAY = 0.25
RESTART_MAX_DELAY = 10.0
STABLE_SECONDS = 60.0  # a database that ran this long since its last restart starts the backoff afresh
RETRY_AFTER_SECONDS = 5
# Server answers that mean "the database cannot take writes now", not "this document is wrong".
_OUTAGE_CODES = {6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436}


@dataclass(frozen=True)
class HealthView:
    """What /readyz and /healthz show."""

    up: bool
    since: datetime
    reason: str
    down_seconds: float
    past_limit: bool
    restarts: int


class DatabaseHealth:
    """Up or down, since when and why. Starts up: the hub only serves once its database answered."""

    def __init__(self, down_limit_seconds: float) -> None:
        self.down_limit_seconds = down_limit_seconds
        self.up = True
        self.reason = ""
        self.restarts = 0
        self._since = time.monotonic()
        self._since_wall = utcnow()
        self._limit_logged = False
        self._wake: asyncio.Event | None = None
        self._watcher: DatabaseWatcher | None = None

    @property
    def down(self) -> bool:
        return not self.up

    def down_seconds(self) -> float:
        return 0.0 if self.up else time.monotonic() - self._since

    def past_limit(self) -> bool:
        return self.down and self.down_seconds() > self.down_limit_seconds

    def retry_after(self) -> int:
        """Seconds a client should wait before trying again (the Retry-After header)."""
        return RETRY_AFTER_SECONDS

    def view(self) -> HealthView:
        self._note_limit()
        return HealthView(self.up, self._since_wall, self.reason, round(self.down_seconds(), 1), self.past_limit(),
                          self.restarts)

    def mark_down(self, reason: str, *, quiet: bool = False) -> None:
        if self.up:
            self.up, self.reason = False, reason
            self._since, self._since_wall = time.monotonic(), utcnow()
            self._limit_logged = False
            log.error("database down: %s; answering 503 (SMTP 451) until it is back", reason)
        elif reason != self.reason:
            self.reason = reason
            if not quiet:
                    log.warning("database still down after %.1fs: %s", self.down_seconds(), reason)
        self._note_limit()

    def _note_limit(self) -> None:
        if self.past_limit() and not self._limit_logged:
            self._limit_logged = True
            log.error("database down for %.0fs, past HUB_DB_DOWN_LIMIT_SECONDS=%g: /healthz now answers 503 so "
                      "a supervisor restarts the hub", self.down_seconds(), self.down_limit_seconds)

    def mark_up(self) -> None:
        if self.down:
            log.info("database reconnected after %.1fs down; serving again", self.down_seconds())
            self.up, self.reason = True, ""
            self._since, self._since_wall = time.monotonic(), utcnow()

    def watched_by(self, watcher: DatabaseWatcher, wake: asyncio.Event) -> None:
        self._watcher, self._wake = watcher, wake

    def suspect(self) -> None:
        """A request saw the driver fail: check now rather than at the next tick."""
        if self._wake is not None:
            self._wake.set()

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            await self._watcher.stop()


def health_of(hub: Hub) -> DatabaseHealth:
    """The hub's database state (a hub built without a watcher, as the CLI's is, is always up)."""
    return hub.health


def is_outage(exc: BaseException) -> bool:
    """Is this driver error the database being unreachable (not a bad query)?"""
    if isinstance(exc, ConnectionFailure):  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
        return True
    if isinstance(exc, InvalidOperation):
        return "after close" in str(exc)  # the hub is stopping and has let go of its client
    return isinstance(exc, PyMongoError) and exc.timeout


def _ran_out_of_time(exc: PyMongoError) -> bool:
    """A timeout on a connection that is open, not a refusal: worth one more ask."""
    return isinstance(exc, NetworkTimeout | ExecutionTimeout | WaitQueueTimeoutError)


def database_trouble(exc: BaseException) -> bool:
    """Broader than `is_outage`: the database is away or overloaded, so the same write is worth trying
    again later (an SMTP 451), as opposed to one that would fail the same way every time."""
    if isinstance(exc, ConnectionFailure | ExecutionTimeout | WTimeoutError | WaitQueueTimeoutError
                  | TimeoutError | ConnectionError):
        return True
    if isinstance(exc, PyMongoError) and (exc.has_error_label("RetryableWriteError")
                                          or exc.has_error_label("TransientTransactionError")):
        return True
    return isinstance(exc, OperationFailure) and exc.code in _OUTAGE_CODES


class DatabaseWatcher:
    """Pings every `check_seconds`; restarts the embedded process, with backoff, when it has exited."""

    def __init__(self, health: DatabaseHealth, db: Db, check_seconds: float,
                 embedded: EmbeddedDatabase | None = None) -> None:
        self.health = health
        self.db = db
        self.check_seconds = check_seconds
        self.embedded = embedded
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._delay = RESTART_FIRST_DELAY
        self._restarted_at = -math.inf

    def start(self) -> None:
        self.health.watched_by(self, self._wake)
        if self.embedded is not None:
            self.embedded.on_exit = self._embedded_exited
        self._task = asyncio.create_task(self._run(), name="database-watcher")

    async def stop(self, timeout: float = 2.0) -> None:
        """Ends the loop by a flag; its ping ends by the driver's own timeout. Only a restart that is
        still starting the process is cancelled (no driver call is in flight then)."""
        self._stopping = True
        self._wake.set()
        if self.embedded is not None:
            self.embedded.on_exit = None
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            await stop_tasks(task)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                if self.embedded is not None and not self.embedded.running:
                    await self._restart()
                    continue
                failure = await self._ping()
                if self._stopping:
                    break
                if failure is None:
                    self.health.mark_up()
                else:
                    self.health.mark_down(failure)
            except asyncio.CancelledError:
                raise
            except Exception:  # the watcher must outlive anything it meets
                log.exception("database watcher failed; checking again")
            await self._pause(self.check_seconds if self.health.up else min(self.check_seconds, 0.5))

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        self._wake.clear()

    async def _ping(self) -> str | None:
        """None when the database answers through the hub's own client, else why not.

        A refused connection is a database that is gone: down at once. A ping that only ran out of
        time (NetworkTimeout on an open connection, the driver's own ExecutionTimeout when its
        measured round trip already exceeds the budget, or WaitQueueTimeoutError when opening a
        pooled connection took longer than the budget) is asked once more, with twice the time,
        before the database counts as down, so a second of a starved CPU (a busy host) does not
        turn every request into a 503; a hung database is still down within two pings."""
        for attempt in (1, 2):
            try:
                with pymongo.timeout(PING_SECONDS * attempt):
                    await self.db.command("ping")
            except PyMongoError as exc:
                if attempt == 1 and self.health.up and _ran_out_of_time(exc) and not self._stopping:
                    log.warning("database ping ran out of time; asking once more")
                    continue
                return f"it does not answer ({type(exc).__name__}: {str(exc).split(',', 1)[0]})"
            return None
        return None

    def _embedded_exited(self) -> None:
        """Called as the process's output ends: requests get their 503 from now on, even while a ping
        is still waiting for its timeout."""
        embedded = self.embedded
        assert embedded is not None
        last = f"; its last words: {embedded.last_output[-1]}" if embedded.last_output else ""
        self.health.mark_down(f"the embedded database process exited (code {embedded.returncode}{last})")
        self._wake.set()

    async def _restart(self) -> None:
        embedded = self.embedded
        assert embedded is not None
        if time.monotonic() - self._restarted_at > STABLE_SECONDS:
            self._delay = RESTART_FIRST_DELAY
        else:  # it died again soon after a restart: a crash loop waits longer each time
            log.warning("the embedded database died again %.0fs after its restart; next try in %.1fs",
                        time.monotonic() - self._restarted_at, self._delay)
            await self._pause(self._delay)
        attempt = 0
        while not self._stopping:
            attempt += 1
            log.warning("restarting the embedded database on port %d (attempt %d, data %s)", embedded.port,
                        attempt, embedded.storage_path)
            try:
                await embedded.start()
            except (EmbeddedDatabaseError, OSError) as exc:
                self.health.mark_down(f"the embedded database does not restart: {exc}", quiet=True)
                log.warning("embedded database restart attempt %d failed: %s; next try in %.1fs", attempt, exc,
                            self._delay)
                await self._pause(self._delay)
                self._delay = min(self._delay * 2, RESTART_MAX_DELAY)
                continue
            self._restarted_at = time.monotonic()
            self._delay = min(self._delay * 2, RESTART_MAX_DELAY)
            self.health.restarts += 1
            log.warning("embedded database restarted pid=%s port=%d; reconnecting", embedded.pid, embedded.port)
            return
