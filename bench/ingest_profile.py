"""P1's profile: the database work of one signed Twilio webhook, and the ingest rate against P1's limit.

A hub runs in this process (so a pymongo command listener sees every command it sends) on a fresh embedded
database; 16 concurrent senders post signed SMS webhooks from 16 customers. Printed per message: the
operations by command and collection, the documents written and the index entries written (counted from
hub/store/db.py's indexes: each index whose key fields an insert carries, or an update changes). Then the
rate (until every webhook was answered, i.e. stored) beside the raw journaled insert_one rate of a
collection with the messages' own indexes, 16 concurrent senders, same database, same run.

`python -m bench.ingest_profile` (or `make bench`). Run it against another checkout with
PYTHONPATH=<checkout> to compare before and after a change.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pymongo import monitoring

from bench import ingest_twilio
from bench.common import raw_journaled_insert_rate, report
from bench.ingest_twilio import ACCOUNT_SID, AUTH_TOKEN, post_all, signed_webhooks

SENDERS = 16
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "16"))
MESSAGES_EACH = int(os.environ.get("BENCH_MESSAGES", "15"))
# "round-robin": many people writing at once; "bursts": each customer's messages back to back (one person
# sending several lines), where a batch holds several messages of one conversation.
ORDER = os.environ.get("BENCH_ORDER", "round-robin")
_WRITES = ("insert", "update", "delete")


class Profile(monitoring.CommandListener):
    """Commands the hub sends to one database, with what the writes changed."""

    def __init__(self, database: str, indexes: dict[str, list[dict[str, Any]]]) -> None:
        self.database, self.indexes, self.on = database, indexes, False
        self.ops: Counter[str] = Counter()
        self.documents: Counter[str] = Counter()
        self.index_entries: Counter[str] = Counter()
        self._started: dict[int, tuple[str, dict[str, Any]]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on and event.database_name == self.database:
            collection = event.command.get(event.command_name)
            where = collection if isinstance(collection, str) else ""
            self.ops[f"{event.command_name} {where}".strip()] += 1
            if event.command_name in _WRITES:
                self._started[event.request_id] = (event.command_name, dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        started = self._started.pop(event.request_id, None)
        if started is None:
            return
        name, command = started
        collection = str(command[name])
        indexes = self.indexes.get(collection, [])
        written = int(event.reply.get("n", 0))
        if name == "insert":
            for doc in command.get("documents", []):
                self.index_entries[collection] += 1 + sum(1 for index in indexes if _holds(doc, index))
        elif name == "update":
            written = int(event.reply.get("nModified", 0)) + len(event.reply.get("upserted", []))
            statements = command.get("updates", [])
            share = written / len(statements) if statements else 0
            for statement in statements:
                changed = _changed_fields(statement.get("u") or {})
                self.index_entries[collection] += round(share * sum(1 for index in indexes if _touches(changed, index)))
        elif name == "delete":
            self.index_entries[collection] += written * (1 + len(indexes))
        self.documents[collection] += written

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._started.pop(event.request_id, None)


def _fields(index: dict[str, Any]) -> list[str]:
    return list(index["key"])


def _holds(doc: dict[str, Any], index: dict[str, Any]) -> bool:
    partial = index.get("partialFilterExpression")
    if partial and any(doc.get(field) != value for field, value in partial.items()):
        return False
    if index.get("sparse"):
        return any(_present(doc, field) for field in _fields(index))
    return True


def _present(doc: dict[str, Any], path: str) -> bool:
    value: Any = doc
    for part in path.split("."):
        if isinstance(value, list):
            return any(isinstance(v, dict) and part in v for v in value)
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def _changed_fields(update: dict[str, Any]) -> set[str]:
    if not any(str(op).startswith("$") for op in update):
        return {"*"}  # a replacement rewrites every index entry
    return {field for op, fields in update.items() if isinstance(fields, dict) for field in fields}


def _touches(changed: set[str], index: dict[str, Any]) -> bool:
    if "*" in changed:
        return True
    return any(c == f or c.startswith(f + ".") or f.startswith(c + ".") for c in changed for f in _fields(index))


async def main() -> None:
    from aiohttp import web

    from hub.app import create_app
    from hub.db.embedded import EmbeddedDatabase
    from hub.settings import Settings
    from hub.store.db import _INDEXES
    from tests.support.servers import free_port

    total = CUSTOMERS * MESSAGES_EACH
    with tempfile.TemporaryDirectory() as tmp:
        database = EmbeddedDatabase(Path(tmp) / "db")
        url = await database.start()
        try:
            limit = await raw_journaled_insert_rate(url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            os.environ.update({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                               "TWILIO_SMS_FROM": "+14155550100"})
            indexes = {c: [dict(i.document) for i in models] for c, models in _INDEXES.items()}
            profile = Profile("bench", indexes)
            monitoring.register(profile)
            settings = Settings(_env_file=None, mongo_url=url, db_name="bench", data_dir=Path(tmp),  # type: ignore[call-arg]
                                secret_key="bench", public_url=base, log_level="WARNING")
            runner = web.AppRunner(create_app(settings))
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", port)
            await site.start()
            try:
                made, each = signed_webhooks(base), ingest_twilio.MESSAGES_EACH
                hooks = ([made[c * each + n] for n in range(MESSAGES_EACH) for c in range(CUSTOMERS)]
                         if ORDER == "round-robin" else
                         [made[c * each + n] for c in range(CUSTOMERS) for n in range(MESSAGES_EACH)])
                profile.on = True
                started = time.perf_counter()
                await post_all(base, hooks, concurrency=SENDERS)
                elapsed = time.perf_counter() - started
                await asyncio.sleep(0.5)  # the posted markers and the live publishing settle
                profile.on = False
            finally:
                await runner.cleanup()
        finally:
            await database.stop()
    print(f"ingest profile: {total} signed Twilio webhooks from {CUSTOMERS} customers ({ORDER}), {SENDERS} "
          f"concurrent senders, per message:")
    ops = sum(profile.ops.values())
    documents, entries = sum(profile.documents.values()), sum(profile.index_entries.values())
    print(f"  operations {ops / total:.2f} | documents written {documents / total:.2f} | index entries "
          f"written {entries / total:.2f}")
    for collection, n in profile.index_entries.most_common():
        print(f"    {collection}: {profile.documents[collection] / total:.2f} documents, {n / total:.2f} index entries")
    for op, n in sorted(profile.ops.items(), key=lambda kv: -kv[1]):
        print(f"    {n / total:5.2f}  {op}")
    report("P1 ingest (answered: validated, raw kept, deduped, stored, routed)", total / elapsed, "msg/s",
           "raw journaled insert_one, messages' indexes, 16 senders", limit, aim=0.5)


if __name__ == "__main__":
    asyncio.run(main())
