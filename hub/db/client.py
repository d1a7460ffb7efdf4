"""The connection: a client with the configured write concern, and the cheapest checks that it answers.

Below the store: `hub/store/*` turns these into named operations on collections.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient, WriteConcern
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

Doc = dict[str, Any]
Db = AsyncDatabase[Doc]



# What an acknowledged write has survived, by HUB_WRITE_CONCERN. "majority" carries j=True too: a
# replica set journals majority writes anyway (writeConcernMajorityJournalDefault), and the embedded
# server does not: with w="majority" alone a SIGKILL lost 1 and 6 of 1,500 acknowledged inserts, with
# j=True none (measured here, see README "Durability").
WRITE_CONCERNS: dict[str, WriteConcern] = {
    "journaled": WriteConcern(w=1, j=True),
    "majority": WriteConcern(w="majority", j=True),
    "fast": WriteConcern(w=1),
}
# For writes no acknowledgement depends on (a marker the recovery pass can redo, a heartbeat):
# the embedded server answers them without waiting for its journal.
FAST = WRITE_CONCERNS["fast"]


def write_concern_for(setting: str, *, embedded: bool) -> WriteConcern:
    """HUB_WRITE_CONCERN -> the concern every store write inherits; `auto` picks by where the data lives."""
    name = setting.strip().lower()
    if name == "auto":
        name = "journaled" if embedded else "majority"
    if name not in WRITE_CONCERNS:
        raise ValueError(f"HUB_WRITE_CONCERN must be one of auto, {', '.join(WRITE_CONCERNS)}; got {setting!r}")
    return WRITE_CONCERNS[name]


def connect(url: str, default_db: str, *, write_concern: str = "auto",
            embedded: bool = False) -> tuple[AsyncMongoClient[Doc], Db]:
    """A client and the hub's database; every collection taken from it writes with the configured concern."""
    concern = write_concern_for(write_concern, embedded=embedded).document
    # On the client, not only the database: a transaction's commit takes the client's concern. It
    # overrides any w= or journal= in the URL, so the setting alone says what an acknowledgement means.
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=10_000,
                                                     w=concern["w"], journal=bool(concern.get("j")))
    db = client.get_default_database(default=default_db)
    return client, db


def fast(collection: AsyncCollection[Doc]) -> AsyncCollection[Doc]:
    """The same collection writing unjournaled: only for writes nothing is acknowledged on."""
    return collection.with_options(write_concern=FAST)


DUPLICATE_KEY = 11000


async def insert_new(collection: AsyncCollection[Doc], docs: list[Doc]) -> None:
    """Insert the documents whose `_id` is not there yet; the ones already there are left as they are (a
    migration that may run again, or two processes starting together)."""
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise


async def ping(db: Db) -> bool:
    try:
        await db.command("ping")
    except Exception:  # any failure means "not ready"; the reason is logged by the caller's probe
        return False
    return True


async def url_answers(url: str) -> bool:
    """Does a MongoDB answer at `url` within a second? (a URL left behind by a stopped hub won't)"""
    client: AsyncMongoClient[Doc] = AsyncMongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        await client.admin.command("ping")
    except Exception:
        return False
    finally:
        await client.close()
    return True
