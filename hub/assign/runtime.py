"""Routing's per-process state: cached departments and rules, the language detector, the periodic task.

Departments and rules change rarely and are read on every new conversation, so a process keeps them
for HUB_ROUTING_CACHE_SECONDS; a save on this process drops the cache at once, other processes see it
when their copy expires. Agents and their load are always read fresh.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from aiohttp import web

from channels.base import stop_tasks
from hub import keys
from hub.assign.snapshot import RoutingConfig, build_config
from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import RoutingSettings
from hub.store import departments as department_store
from hub.store import leases, routing_rules, users
from routing.errors import RuleValidationError
from routing.language import LanguageDetector
from routing.rules_io import rules_from_dicts

log = logging.getLogger(__name__)

TICK_LEASE = "routing-tick"


class RoutingStartError(RuntimeError):
    pass


@functools.lru_cache(maxsize=4)
def _shared_detector(codes: tuple[str, ...]) -> LanguageDetector:
    # lingua's models cost ~360 MB and ~1.7 s; every app in one process (tests start many) shares them.
    return LanguageDetector(codes)


class RoutingRuntime:
    def __init__(self, hub: Hub, settings: RoutingSettings) -> None:
        self.hub = hub
        self.settings = settings
        self._config: RoutingConfig | None = None
        self._config_at = 0.0
        self._config_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()

    # --- configuration ------------------------------------------------------------------------------

    async def config(self) -> RoutingConfig:
        fresh = self._config is not None and time.monotonic() - self._config_at < self.settings.cache_seconds
        if fresh and self._config is not None:
            return self._config
        async with self._config_lock:
            if self._config is None or time.monotonic() - self._config_at >= self.settings.cache_seconds:
                self._config = await self._load()
                self._config_at = time.monotonic()
            return self._config

    def invalidate(self) -> None:
        self._config = None

    async def _load(self) -> RoutingConfig:
        db = self.hub.db
        docs = await department_store.all_departments(db)
        default_name = self.hub.settings.default_department
        default = next((d for d in docs if d.get("name") == default_name), None)
        if default is None:  # conversations no rule claims must land somewhere people look
            default = await users.ensure_department(db, default_name, utcnow())
            docs.append(default)
        stored = await routing_rules.current(db)
        problems: list[str] = []
        rules: tuple[Any, ...] = ()
        version = "none"
        if stored is not None:
            version = str(stored.get("version") or "unversioned")
            try:
                rules = rules_from_dicts(stored.get("rules") or [])
            except RuleValidationError as exc:
                # Saved rules that no longer read (an older format): route without them, say why.
                problems.extend(exc.messages)
                log.error("stored routing rules unreadable; routing without rules problems=%s", exc.messages)
        config = build_config(docs, rules, version, department_store.key_of(default),
                              self.settings.autoreply_window_seconds, stored.get("saved_at") if stored else None,
                              problems)
        return config

    # --- language -----------------------------------------------------------------------------------

    @property
    def detection_enabled(self) -> bool:
        return bool(self.settings.language_codes)

    async def detect(self, text: str) -> str | None:
        """The language of `text`, detected in a thread: loading lingua takes seconds the loop cannot spare."""
        if not self.detection_enabled or not text.strip():
            return None
        detector = _shared_detector(self.settings.language_codes)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(None, detector.detect, text[:2000])
        except Exception:  # detection is a hint; routing goes on without it
            log.exception("language detection failed")
            return None

    # --- background work ----------------------------------------------------------------------------

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        """Run follow-up work (offering the queue to an agent who just came online) without blocking."""
        task = asyncio.create_task(self._guarded(work, name), name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _guarded(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("routing background work failed task=%s", name)

    async def start(self) -> None:
        for code in self.settings.language_codes:  # an unknown code fails start-up, not a customer message
            try:
                LanguageDetector((code,))
            except ValueError:
                raise RoutingStartError(f"HUB_ROUTING_LANGUAGES: '{code}' is not a language the detector knows "
                                        "(use ISO 639-1 codes such as en, ar, fa, zh, vi)") from None
        self._task = asyncio.create_task(self._tick_loop(), name="routing-tick")

    async def stop(self) -> None:
        await stop_tasks(self._task, *self._background)
        self._task = None
        with contextlib.suppress(Exception):
            await leases.release(self.hub.db, TICK_LEASE, self.hub.process_id)

    async def _tick_loop(self) -> None:
        from hub.assign.tasks import tick

        while True:
            await asyncio.sleep(self.settings.tick_seconds)
            try:
                now = utcnow()
                if await leases.acquire(self.hub.db, TICK_LEASE, self.hub.process_id, now,
                                        self.settings.tick_seconds * 3):
                    await tick(self.hub, now)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("routing tick failed; trying again next tick")


def runtime(hub: Hub) -> RoutingRuntime:
    if hub.routing is None:
        hub.routing = RoutingRuntime(hub, hub.routing_settings)
    return hub.routing


async def routing_ctx(app: web.Application) -> AsyncIterator[None]:
    """Starts routing's periodic task on this process (after the hub itself is up)."""
    routing = runtime(app[keys.HUB])
    await routing.start()
    try:
        yield
    finally:
        await routing.stop()
