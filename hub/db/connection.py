"""Which database the hub talks to: HUB_MONGO_URL, or the embedded server it starts itself."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pymongo
from pymongo import AsyncMongoClient
from pymongo.errors import InvalidOperation

from hub.db.client import Db, Doc, connect, ping, url_answers
from hub.db.embedded import EmbeddedDatabase
from hub.db.health import DatabaseHealth, DatabaseWatcher
from hub.settings import Settings

log = logging.getLogger(__name__)

URL_FILE = "db.url"
CLOSE_SECONDS = 1.0


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, share: bool = True, health: DatabaseHealth | None = None,
                        prepare: Callable[[Db], Awaitable[None]] | None = None,
                        ) -> AsyncIterator[tuple[AsyncMongoClient[Doc], Db]]:
    """Connect (starting the embedded server when no URL is set), `prepare` it, and clean up after.

    A command run beside a running hub (`hub create-token`) reuses its embedded server through
    the URL it left in the data dir, since the data dir can only be opened by one server.
    With `health`, a watcher keeps it up to date and restarts an embedded server that died (same
    port, same data dir, so the client and the URL file stay right).
    """
    embedded: EmbeddedDatabase | None = None
    url = settings.mongo_url
    url_file = settings.data_dir / URL_FILE
    if not url and url_file.exists():
        candidate = url_file.read_text().strip()
        if await url_answers(candidate):
            url = candidate
    if not url:
        embedded = EmbeddedDatabase(settings.data_dir / "db")
        url = await embedded.start()
        if share:
            url_file.write_text(url)
    client, db = connect(url, settings.db_name, write_concern=settings.write_concern, embedded=not settings.mongo_url)
    try:
        if not await ping(db):
            raise RuntimeError(f"the database at {_redact(url)} does not answer")
        if prepare is not None:
            await prepare(db)  # the store's indexes and migrations (hub/store/db.py ensure_indexes)
        if health is not None:
            DatabaseWatcher(health, db, settings.db_check_seconds, embedded).start()
        yield client, db
    finally:
        if health is not None:
            await health.stop_watching()
        await close_client(client)
        if embedded is not None:
            if share:
                url_file.unlink(missing_ok=True)
            await embedded.stop()


async def close_client(client: AsyncMongoClient[Doc]) -> None:
    """Close without waiting on a database that is gone: `close()` first ends the client's pooled
    sessions on the server, and with the server down that waits out server selection (10 s). The
    driver's own timeout bounds it (a cancel inside server selection could break its lock)."""
    try:
        with pymongo.timeout(CLOSE_SECONDS):
            await asyncio.wait_for(client.close(), CLOSE_SECONDS * 2)  # the last resort behind the timeout
    except TimeoutError:
        log.warning("the database client did not close in %.0fs; going on without it", CLOSE_SECONDS * 2)
    except InvalidOperation:  # closed already (a stop while the database was down closes it first)
        log.debug("the database client was closed already")


def _redact(url: str) -> str:
    """Never print a password from a URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
