"""The recovery pass: kept payloads that never became a message become one, once; payloads that are
not messages, young payloads still in flight and payloads another process is recovering are left alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from channels.base import EMAIL, WEBCHAT, Attachment, Identity, InboundMessage
from hub import keys
from hub import names as model
from hub.clock import utcnow
from hub.inbound import recovery
from hub.inbound.ingest import ingest
from hub.inbound.recovery import LEASE, RECOVERY, Recovery, recover
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import leases, raw
from tests.conftest import make_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import payload, post_update, serve_with_telegram, telegram_api
from tests.support.polling import poll_until

__all__ = ["telegram_api"]  # a fixture, used by name

# The app's own start-up pass must never touch what a test builds: the `hub` fixture waits until it is
# over, and the tests make a payload "old" by passing the pass a later `now`.
GRACE = 3600.0
LATER = timedelta(seconds=GRACE + 60)


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, recovery_grace_seconds=GRACE, recovery_seconds=3600)


@pytest.fixture
async def hub(server: TestServer) -> Hub:
    """The hub once its own start-up pass is over, so payloads a test leaves are the next pass's to find."""
    await asyncio.wait_for(server.app[RECOVERY].first_pass_over.wait(), timeout=10)
    return server.app[keys.HUB]


def inbound(text: str, external_id: str | None = None, **more: object) -> InboundMessage:
    return InboundMessage(channel="webchat", identity=Identity(WEBCHAT, "v-recover"), text=text,
                          received_at=utcnow(), external_id=external_id, raw={"type": "message", "text": text},
                          **more)  # type: ignore[arg-type]


async def kept_before_a_crash(hub: Hub, message: InboundMessage, ago: timedelta = timedelta(0)) -> object:
    """What ingest leaves behind when the process dies right after keeping the payload."""
    return await hub.batches.keep_raw.submit(raw.pending_doc(message, utcnow() - ago))


async def markers_written(hub: Hub, count: int) -> None:
    """Ingest posts its processed marker without waiting for it; wait until `count` payloads carry one."""
    async def written() -> bool:
        return await hub.db[model.RAW_INBOUND].count_documents({"processed_at": {"$exists": True}}) >= count
    await poll_until(written, f"{count} payloads marked processed")


async def inbound_messages(hub: Hub) -> list[dict[str, object]]:
    return await hub.db[model.MESSAGES].find({"direction": "in"}).to_list(None)


async def test_a_kept_payload_becomes_the_message_it_would_have_been(hub: Hub) -> None:
    files = (Attachment("invoice.pdf", "application/pdf", 1234, file_id="6b0f0000000000000000abcd"),)
    original = InboundMessage(
        channel="email", identity=Identity(EMAIL, "ana@example.com"), text="See the attached invoice",
        received_at=utcnow() - timedelta(minutes=3), external_id="ana@example.com|<m-1@example.com>",
        contact_name="Ana Lima", subject="Invoice 42", html="<p>See the attached invoice</p>", attachments=files,
        raw={"source": "smtp"},
        extras={"message_id": "<m-1@example.com>"})
    raw_id = await kept_before_a_crash(hub, original)
    report = await recover(hub, utcnow() + LATER)
    [message] = await inbound_messages(hub)
    assert report.recovered == [message["_id"]]
    assert (message["raw_id"], message["channel"], message["text"], message["subject"], message["html"]) == (
        raw_id, "email", "See the attached invoice", "Invoice 42", "<p>See the attached invoice</p>")
    assert message["external_id"] == "ana@example.com|<m-1@example.com>"
    assert message["attachments"] == [files[0].as_doc()]
    assert message["received_at"] == original.received_at.replace(microsecond=original.received_at.microsecond
                                                                  // 1000 * 1000)
    contact = await hub.db[model.CONTACTS].find_one({"_id": message["contact_id"]})
    assert contact is not None and contact["name"] == "Ana Lima"
    assert contact["identities"] == [{"kind": "email", "value": "ana@example.com"}]
    await markers_written(hub, 1)
    kept = await hub.db[model.RAW_INBOUND].find_one({"_id": raw_id})
    assert kept is not None and "pending_since" not in kept and "processed_at" in kept


async def test_a_payload_whose_message_was_stored_before_the_crash_only_gets_its_marker(hub: Hub) -> None:
    stored = await ingest(hub, inbound("already here", "c-9"))
    keyless = await ingest(hub, inbound("no key of its own"))
    await markers_written(hub, 2)
    # As if both processes died before their markers were written.
    await hub.db[model.RAW_INBOUND].update_many({}, {"$set": {"pending_since": utcnow()},
                                                     "$unset": {"processed_at": ""}})
    report = await recover(hub, utcnow() + LATER)
    assert (report.recovered, report.already_stored, report.failed) == ([], 2, 0)
    assert {m["_id"] for m in await inbound_messages(hub)} == {stored.message["_id"], keyless.message["_id"]}
    assert await hub.db[model.RAW_INBOUND].count_documents({"pending_since": {"$exists": True}}) == 0


async def test_every_message_marks_its_payload_processed(hub: Hub) -> None:
    await ingest(hub, inbound("one", "k-1"))
    await ingest(hub, inbound("one", "k-1"))  # a redelivery keeps its payload too, and marks it
    await ingest(hub, inbound("two"))
    await markers_written(hub, 3)
    docs = await hub.db[model.RAW_INBOUND].find({}).to_list(None)
    assert len(docs) == 3
    assert all("processed_at" in d and "pending_since" not in d and d["inbound"]["text"] for d in docs)


async def test_a_payload_younger_than_the_grace_period_may_still_be_in_flight_and_waits(hub: Hub) -> None:
    await kept_before_a_crash(hub, inbound("abandoned long ago"), ago=timedelta(minutes=10))
    young = await kept_before_a_crash(hub, inbound("still being stored"))
    report = await recover(hub, utcnow() + LATER - timedelta(minutes=5))
    assert [m["text"] for m in await inbound_messages(hub)] == ["abandoned long ago"]
    assert len(report.recovered) == 1
    assert (await hub.db[model.RAW_INBOUND].find_one({"_id": young}) or {}).get("pending_since") is not None


async def test_a_payload_that_cannot_be_replayed_is_set_aside_with_the_reason(hub: Hub) -> None:
    too_long = inbound("x" * (hub.settings.max_text_bytes + 1))
    raw_id = await kept_before_a_crash(hub, too_long)
    fine = await kept_before_a_crash(hub, inbound("this one is fine"))
    for attempt in range(raw.MAX_REPLAYS):
        report = await recover(hub, utcnow() + LATER)
        assert report.failed == 1
        assert len(report.recovered) == (1 if attempt == 0 else 0)
    assert (await recover(hub, utcnow() + LATER)).failed == 0  # set aside: not tried again
    kept = await hub.db[model.RAW_INBOUND].find_one({"_id": raw_id})
    assert kept is not None and "pending_since" not in kept
    assert kept["outcome"].startswith("could not be replayed: TooLarge: message text is")
    assert [m["raw_id"] for m in await inbound_messages(hub)] == [fine]


async def test_only_the_process_holding_the_lease_runs_the_pass(hub: Hub) -> None:
    # This hub's own start-up pass holds the lease while it runs; once it is over, another process takes
    # the lease, and only then is the payload left behind (so the start-up pass cannot have taken it).
    await poll_until(lambda: leases.acquire(hub.db, LEASE, "another-process", utcnow(), 600),
                     "the start-up pass releasing its lease", timeout=5)
    await kept_before_a_crash(hub, inbound("wait for the other process"), ago=timedelta(hours=2))
    assert await Recovery(hub).run_once() is None
    assert await inbound_messages(hub) == []
    await leases.release(hub.db, LEASE, "another-process")
    report = await Recovery(hub).run_once()
    assert report is not None and len(report.recovered) == 1
    assert await hub.db[model.LEASES].find_one({"_id": LEASE}) is None  # held only while a pass runs


async def test_a_backlog_larger_than_one_pass_is_recovered_in_one_run(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(7):
        await kept_before_a_crash(hub, inbound(f"backlog {n}"), ago=timedelta(hours=2))
    first = await recover(hub, utcnow() + LATER, limit=3)
    assert len(first.recovered) == 3 and first.more
    assert [m["text"] for m in await inbound_messages(hub)] == ["backlog 0", "backlog 1", "backlog 2"]
    monkeypatch.setattr(recovery, "PASS_LIMIT", 3)
    monkeypatch.setattr(hub.settings, "recovery_grace_seconds", 60.0)
    rest = await Recovery(hub).run_once()
    assert rest is not None and len(rest.recovered) == 4 and not rest.more
    assert len(await inbound_messages(hub)) == 7


async def test_payloads_kept_without_becoming_messages_are_never_replayed(hub: Hub) -> None:
    # Bounces, our own mail coming back and edits keep their payload this way (channels/*).
    await raw.keep(hub.db, "email", {"bounce_for": ["<r-1@hub.test>"]}, utcnow() - timedelta(hours=2))
    report = await recover(hub, utcnow() + LATER)
    assert (report.recovered, report.already_stored, report.failed) == ([], 0, 0)
    assert await inbound_messages(hub) == []


@pytest.fixture
async def telegram_server(aiohttp_server, settings: Settings,  # type: ignore[no-untyped-def]
                          telegram_api: FakeTelegramApi) -> TestServer:
    return await serve_with_telegram(aiohttp_server, settings, telegram_api)


async def test_a_telegram_edit_is_applied_once_and_never_replayed_as_a_new_message(
    telegram_server: TestServer, http: aiohttp.ClientSession
) -> None:
    from hub import keys

    hub = telegram_server.app[keys.HUB]
    base = str(telegram_server.make_url("")).rstrip("/")
    for fixture in ("text_in_persian_with_emoji_and_zero_width", "edited_message"):
        status, body = await post_update(http, base, payload(fixture))
        assert status == 200 and body["result"] in ("stored", "edited"), body
    assert await hub.db[model.RAW_INBOUND].count_documents({}) == 2
    report = await recover(hub, utcnow() + LATER)
    assert (report.recovered, report.failed) == ([], 0)
    assert len(await inbound_messages(hub)) == 1
