"""A hub killed while its replies are on their way to a slow Twilio: the hub started after it settles
every reply, none is sent twice and none stays queued."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from pymongo import AsyncMongoClient

from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.store import users
from hub.store.db import Db, Doc
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, fixture, post_signed
from tests.support.agents import make_user
from tests.support.polling import poll_until
from tests.support.servers import HubProcess

PUBLIC_URL = "http://hub.example.test"
REPLIES = 24
LEASE_SECONDS = 2.0
TWILIO_ANSWERS_AFTER = 2.5  # longer than the lease: only a renewed lease keeps a send from being taken over


@pytest.fixture
async def slow_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio().start()
    fake.delay_seconds = TWILIO_ANSWERS_AFTER
    yield fake
    await fake.close()


@pytest.fixture
async def db(mongo_url: str) -> AsyncIterator[Db]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    yield client[f"crash_{uuid.uuid4().hex[:12]}"]
    await client.close()


def hub_env(mongo_url: str, db: Db, tmp_path: Path, fake: FakeTwilio) -> dict[str, str]:
    return {
        "HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": db.name, "HUB_DATA_DIR": str(tmp_path),
        "HUB_SECRET_KEY": "crash-test", "HUB_PUBLIC_URL": PUBLIC_URL,
        "HUB_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS), "HUB_OUTBOX_POLL_SECONDS": "0.2",
        "HUB_OUTBOX_BACKOFF_SECONDS": "0.1",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+14155550100",
        "TWILIO_API_BASE": fake.base_url, "TWILIO_SMS_PER_SECOND": "1000",
    }


async def queue_replies(base_url: str, token: str, conversation_id: object) -> list[str]:
    ids: list[str] = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http:
        for n in range(REPLIES):
            async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                                 json={"text": f"reply {n:02d}"}) as r:
                assert r.status == 201, await r.text()
                ids.append(str((await r.json())["message"]["id"]))
    return ids


async def test_a_hub_killed_mid_send_leaves_no_reply_sent_twice_and_none_queued(
    mongo_url: str, db: Db, tmp_path: Path, slow_twilio: FakeTwilio
) -> None:
    env = hub_env(mongo_url, db, tmp_path, slow_twilio)
    first = await asyncio.to_thread(HubProcess(env).start)
    try:
        async with aiohttp.ClientSession() as http:
            status, _ = await post_signed(http, first.base_url, PUBLIC_URL, "/webhooks/twilio",
                                          fixture("sms_inbound_persian_text.json"))
            assert status == 200
        inbound = await db["messages"].find_one({"direction": "in"})
        assert inbound is not None
        agent = await make_user(db, "agent@x.test")
        token = new_api_token()
        await users.create_api_token(db, token_hash(token), agent["_id"], "crash test", utcnow())
        await queue_replies(first.base_url, token, inbound["conversation_id"])

        # Kill it as a request reaches Twilio: that send is in flight, its answer never read.
        await poll_until(lambda: _at_least(slow_twilio, REPLIES // 4), "a quarter of the sends reaching Twilio",
                         timeout=60)
        assert first.proc is not None
        first.proc.kill()
        await asyncio.to_thread(first.proc.wait)
    finally:
        first.stop()
    in_flight = await db["messages"].count_documents({"direction": "out", "status": "queued",
                                                       "attempt_started_at": {"$ne": None}})
    assert in_flight >= 1, "the kill was meant to land while sends were in flight"

    await settle_on_a_new_hub(env, db)

    sent_to_twilio = Counter(slow_twilio.created_bodies())
    assert sent_to_twilio == {f"reply {n:02d}": 1 for n in range(REPLIES)}
    sid_of = {m["body"]: m["sid"] for m in slow_twilio.created}
    replies = await db["messages"].find({"direction": "out"}).to_list(None)
    assert {r["text"]: (r["status"], r["provider_id"]) for r in replies} == {
        body: ("sent", sid) for body, sid in sid_of.items()}
    assert any(r.get("reconciled_at") for r in replies), "an in-flight send was looked up and adopted"


async def settle_on_a_new_hub(env: dict[str, str], db: Db) -> None:
    """Start another hub on the same database and wait until it has settled every queued reply."""
    second = await asyncio.to_thread(HubProcess(env).start)
    try:
        async def settled() -> bool:
            return await db["messages"].count_documents({"direction": "out", "status": "queued"}) == 0

        await poll_until(settled, "no reply left queued on the new hub", timeout=90)
    finally:
        second.stop()


async def _at_least(fake: FakeTwilio, count: int) -> bool:
    return len(fake.created) >= count
