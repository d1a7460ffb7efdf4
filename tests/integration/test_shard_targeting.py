"""The shard-key checker: a representative workload (ingest on each channel, a repeat, inbox pages, the
conversation page, a reply through the outbox, a merge and its undo) runs against the embedded database
while a command listener records every filter the hub sends. Each filter on a collection that
hub/store/sharding.py shards must be targeted (name the shard key) or be a known scatter-gather listed in
`sharding.SCATTERS` and in docs/scaling.md with its cost, so a new query that would scatter on a cluster
is noticed when it is written."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from pymongo import monitoring

from channels.base import EMAIL, PHONE, TELEGRAM, WEBCHAT, Identity, InboundMessage
from hub import keys
from hub import names as model
from hub.app import create_app
from hub.assign import tasks
from hub.clock import utcnow
from hub.inbound import recovery
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import sharding
from tests.support.agents import login, make_user
from tests.support.polling import poll_until
from tests.support.query_log import QueryLog, Sent

ROOT = Path(__file__).resolve().parents[2]
_LOG = QueryLog()
_REGISTERED: list[QueryLog] = []


def listen(database: str) -> QueryLog:
    """The process-wide listener (pymongo has no way to remove one), pointed at this test's database."""
    if not _REGISTERED:
        monitoring.register(_LOG)
        _REGISTERED.append(_LOG)
    _LOG.database, _LOG.recording, _LOG.sent = database, False, []
    return _LOG


def problems(sent: list[Sent]) -> list[str]:
    """Each scattering filter shape not in the allow-list, once, naming where it came from."""
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in sent:
        if entry.where == "?":
            continue  # the test's own reads (no hub frame sent them)
        if entry.command == "insert":
            key = [f for f, _ in sharding.SHARD_KEYS.get(entry.collection, ())]
            if key and key[0] not in entry.query:
                seen[(entry.collection, f"insert without {key[0]}")].add(entry.where)
            continue
        if not sharding.targeted(entry.collection, entry.query):
            seen[(entry.collection, sharding.shape(entry.query))].add(entry.where)
    return [f"{collection}: {shape} reads every shard (from {', '.join(sorted(where))}). Add the shard key "
            f"{sharding.SHARD_KEYS[collection][0][0]!r} to the filter, or list ({collection!r}, {shape!r}) "
            "with its cost in hub/store/sharding.py SCATTERS and in docs/scaling.md, Queries on a cluster"
            for (collection, shape), where in sorted(seen.items()) if (collection, shape) not in sharding.SCATTERS]


async def workload(hub: Hub, http: aiohttp.ClientSession, base_url: str) -> None:
    now = utcnow()
    arrivals = []
    for channel, kind, who in (("webchat", WEBCHAT, "v-1"), ("sms", PHONE, "+989121234567"),
                               ("whatsapp", PHONE, "+989121234568"), ("email", EMAIL, "mina@example.com"),
                               ("telegram", TELEGRAM, "5550001")):
        for n in range(2):  # a first message (new contact, new conversation, routing) and a second
            arrivals.append(await ingest(hub, InboundMessage(
                channel=channel, identity=Identity(kind, who), text=f"hello {n}", received_at=now,
                external_id=f"{channel}-{n}", contact_name="Mina" if n else None, raw={"n": n})))
    await ingest(hub, InboundMessage(channel="webchat", identity=Identity(WEBCHAT, "v-1"), text="hello 0",
                                     received_at=now, external_id="webchat-0", raw={}))  # a provider's repeat
    first = arrivals[0].conversation["_id"]
    csrf = await login(http, base_url, "lead@x.test")
    support = arrivals[0].conversation.get("department_id")
    for path in ("/inbox", "/inbox/list?view=all", f"/inbox/list?view=dept:{support}",
                 "/inbox/list?view=unassigned", "/inbox/list?view=mine",
                 "/inbox/list?view=mentions", "/api/v1/conversations?view=all", f"/inbox/c/{first}",
                 f"/inbox/c/{first}/pane", f"/api/v1/contacts/{arrivals[0].contact['_id']}"):
        async with http.get(f"{base_url}{path}") as r:
            assert r.status == 200, (path, r.status, await r.text())
    headers = {"X-CSRF-Token": csrf}
    async with http.post(f"{base_url}/api/v1/conversations/{first}/reply", headers=headers,
                         json={"text": "It ships today", "client_key": "k1"}) as r:
        assert r.status in (200, 201), await r.text()
        reply = await r.json()

    async def settled() -> bool:
        found = await hub.db[model.MESSAGES].find_one({"direction": "out"})
        return found is not None and found.get("status") != "queued"

    await poll_until(settled, "the reply left the outbox", timeout=20)
    assert reply
    body = {"source_id": str(arrivals[2].contact["_id"]), "target_id": str(arrivals[0].contact["_id"]),
            "confirm_conflicts": True}
    async with http.post(f"{base_url}/api/v1/contacts/merge", json=body, headers=headers) as r:
        assert r.status == 201, await r.text()
        merged = await r.json()
    async with http.post(f"{base_url}/api/v1/contact-merges/{merged['id']}/undo", headers=headers) as r:
        assert r.status in (200, 201), await r.text()
    # The periodic passes, run here so that they are seen however their timers fall.
    await tasks.tick(hub, utcnow())
    await recovery.recover(hub, utcnow())


async def test_every_query_of_the_workload_is_targeted_or_a_listed_scatter_gather(
    aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession
) -> None:
    log = listen(settings.db_name)
    server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    hub = server.app[keys.HUB]
    await make_user(hub.db, "lead@x.test", role="lead", name="Lee")
    log.recording = True
    try:
        await workload(hub, http, str(server.make_url("")).rstrip("/"))
    finally:
        log.recording = False
    assert len(log.sent) > 50, "the listener saw the workload"
    assert problems(log.sent) == []


def test_a_new_scattering_query_fails_the_checker_naming_collection_shape_and_where_to_list_it() -> None:
    sent = [Sent("find", model.MESSAGES, {"provider_id": "SM1", "channel": {"$in": ["sms"]}}, "hub/store/x.py:1 f"),
            Sent("find", model.MESSAGES, {"conversation_id": 1, "created_at": {"$gte": 2}}, "hub/store/x.py:2 g")]
    [problem] = problems(sent)
    assert problem.startswith("messages: {channel:$in, provider_id} reads every shard (from hub/store/x.py:1 f)")
    assert "SCATTERS" in problem and "docs/scaling.md" in problem


def test_every_listed_scatter_gather_is_in_docs_scaling_with_its_cost() -> None:
    page = (ROOT / "docs" / "scaling.md").read_text().replace("\\|", "|")  # a table cell's escaped pipe
    missing = [f"{c} {shape}" for c, shape in sharding.SCATTERS if f"`{shape}`" not in page or f"`{c}`" not in page]
    assert missing == []
    assert all(cost.strip() for cost in sharding.SCATTERS.values())
