"""A hub killed with sends in flight on channels whose provider cannot be asked what arrived: email
resends with the same Message-ID (receivers take it as the same mail); Telegram resends at most once,
and only with the reply marked "may have been delivered"; nothing stays queued."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.store import users
from hub.store.db import Db
from tests.fakes.smtp_relay import FakeRelay
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.email.conftest import fixture, send_mail
from tests.integration.outbox.test_crash_with_sends_in_flight import REPLIES, db, queue_replies, settle_on_a_new_hub
from tests.integration.telegram.conftest import SECRET, TOKEN, payload
from tests.support.agents import make_user
from tests.support.polling import poll_until
from tests.support.servers import HubProcess, free_port

__all__ = ["db"]  # the fixture, shared with the Twilio crash test

LEASE_SECONDS = 2.0
PROVIDER_ANSWERS_AFTER = 2.5


def base_env(mongo_url: str, db: Db, tmp_path: Path) -> dict[str, str]:
    return {"HUB_MONGO_URL": mongo_url, "HUB_DB_NAME": db.name, "HUB_DATA_DIR": str(tmp_path),
            "HUB_SECRET_KEY": "crash-test", "HUB_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "HUB_OUTBOX_POLL_SECONDS": "0.2", "HUB_OUTBOX_BACKOFF_SECONDS": "0.1", "TWILIO_ACCOUNT_SID": ""}


def mail_hub_env(mongo_url: str, db: Db, tmp_path: Path, relay: FakeRelay, smtp_port: int) -> dict[str, str]:
    """A hub that takes mail on `smtp_port` for support@hub.test and sends its replies through `relay`."""
    smtp = {"host": "127.0.0.1", "port": relay.port, "security": "none", "username": "", "password": ""}
    return {**base_env(mongo_url, db, tmp_path), "HUB_SMTP_LISTEN": f"127.0.0.1:{smtp_port}",
            "EMAIL_MAILBOXES": json.dumps([{"address": "support@hub.test", "department": "Support", "smtp": smtp}])}


async def agent_token(db: Db) -> str:
    agent = await make_user(db, "agent@x.test")
    token = new_api_token()
    await users.create_api_token(db, token_hash(token), agent["_id"], "crash test", utcnow())
    return token


async def kill_when(hub: HubProcess, reached: Callable[[], Awaitable[bool]]) -> None:
    """SIGKILL the hub as soon as `reached()` holds: its sends in flight never hear back."""
    await poll_until(reached, "the moment to kill the hub", timeout=60)
    assert hub.proc is not None
    hub.proc.kill()
    await asyncio.to_thread(hub.proc.wait)
    hub.stop()


@pytest.fixture
async def slow_telegram() -> AsyncIterator[FakeTelegramApi]:
    fake = FakeTelegramApi(TOKEN)
    fake.slow_calls, fake.delay_seconds = 10_000, PROVIDER_ANSWERS_AFTER
    runner = web.AppRunner(fake.app(), access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    fake.base_url = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


async def test_telegram_replies_in_flight_at_a_crash_go_out_at_most_twice_and_say_so(
    mongo_url: str, db: Db, tmp_path: Path, slow_telegram: FakeTelegramApi
) -> None:
    env = {**base_env(mongo_url, db, tmp_path), "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
           "TELEGRAM_API_BASE": slow_telegram.base_url}
    first = await asyncio.to_thread(HubProcess(env).start)
    try:
        update = json.dumps(payload("text_in_persian_with_emoji_and_zero_width"))
        async with aiohttp.ClientSession() as http, http.post(
            f"{first.base_url}/webhooks/telegram", data=update,
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as r:
            assert r.status == 200, await r.text()
        inbound = await db["messages"].find_one({"direction": "in"})
        assert inbound is not None
        await queue_replies(first.base_url, await agent_token(db), inbound["conversation_id"])

        async def some_sent() -> bool:
            return len(slow_telegram.sent()) >= REPLIES // 4

        await kill_when(first, some_sent)
    finally:
        first.stop()
    await settle_on_a_new_hub(env, db)

    times_sent = Counter(c.params["text"] for c in slow_telegram.sent())
    replies = await db["messages"].find({"direction": "out"}).to_list(None)
    assert set(times_sent) == {r["text"] for r in replies} and len(replies) == REPLIES
    assert max(times_sent.values()) <= 2
    # Every double is flagged; a flagged one may be single (the kill came before its request left).
    flagged = {r["text"] for r in replies if r.get("delivery_uncertain")}
    assert {text for text, n in times_sent.items() if n == 2} <= flagged
    assert flagged, "the kill was meant to land mid-send"
    assert {r["status"] for r in replies} == {"sent"}


@pytest.fixture
def slow_relay() -> AsyncIterator[FakeRelay]:  # type: ignore[misc]
    relay = FakeRelay().start()
    relay.slow, relay.delay_seconds = 10_000, PROVIDER_ANSWERS_AFTER
    yield relay
    relay.stop()


async def test_mail_in_flight_at_a_crash_is_resent_with_the_same_message_id(
    mongo_url: str, db: Db, tmp_path: Path, slow_relay: FakeRelay
) -> None:
    smtp_port = free_port()
    env = mail_hub_env(mongo_url, db, tmp_path, slow_relay, smtp_port)
    first = await asyncio.to_thread(HubProcess(env).start)
    try:
        await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
        inbound = await db["messages"].find_one({"direction": "in"})
        assert inbound is not None
        await queue_replies(first.base_url, await agent_token(db), inbound["conversation_id"])

        async def some_sent() -> bool:
            return len(slow_relay.received) >= REPLIES // 4

        await kill_when(first, some_sent)
    finally:
        first.stop()
    await settle_on_a_new_hub(env, db)

    replies = await db["messages"].find({"direction": "out"}).to_list(None)
    ids_at_relay = Counter(r.message["Message-ID"].strip("<>").lower() for r in slow_relay.received)
    assert sorted(ids_at_relay) == sorted(r["provider_id"] for r in replies) and len(replies) == REPLIES
    assert {r["status"] for r in replies} == {"sent"}
    assert max(ids_at_relay.values()) == 2, "the kill was meant to land mid-send, so one mail went twice"
    assert not any(r.get("delivery_uncertain") for r in replies)  # the same Message-ID makes it one mail
