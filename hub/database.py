"""Which database the hub talks to: HUB_MONGO_URL, or the embedded server it starts itself."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from pymongo import AsyncMongoClient

from hub.embedded_db import EmbeddedDatabase
from hub.settings import Settings
from hub.store.db import Db, Doc, connect, ensure_indexes, ping, url_answers

log = logging.getLogger(__name__)

URL_FILE = "db.url"


@contextlib.asynccontextmanager
async def open_database(settings: Settings, *, share: bool = True) -> AsyncIterator[tuple[AsyncMongoClient[Doc], Db]]:
    """Connect (starting the embedded server when no URL is set), make indexes, and clean up after.

    A command run beside a running hub (`hub create-token`) reuses its embedded server through
    the URL it left in the data dir, since the data dir can only be opened by one server.
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
        await ensure_indexes(db)
        yield client, db
    finally:
        await client.close()
        if embedded is not None:
            if share:
                url_file.unlink(missing_ok=True)
            await embedded.stop()


def _redact(url: str) -> str:
    """Never print a password from a URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
