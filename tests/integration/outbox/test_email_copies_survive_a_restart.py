"""An email reply's CC and BCC live in the reply's own outbox document: a hub killed while the relay
keeps answering "try again later" leaves the reply to the next hub, which sends it once, to the same
people, under the same Message-ID."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from hub.store.db import Db
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import send_mail
from tests.integration.email.test_email_reply_fields import customer_mail
from tests.integration.outbox.test_crash_with_sends_in_flight import db, settle_on_a_new_hub
from tests.integration.outbox.test_crash_without_lookup import agent_token, kill_when, mail_hub_env
from tests.support.servers import HubProcess, free_port

__all__ = ["db"]


@pytest.fixture
def refusing_relay() -> Iterator[FakeRelay]:
    relay = FakeRelay().start()
    relay.data_replies = ["451 4.3.0 try again later"] * 1000
    yield relay
    relay.stop()


async def test_a_reply_left_by_a_killed_hub_is_sent_once_by_the_next_with_the_same_cc_and_bcc(
    mongo_url: str, db: Db, tmp_path: Path, refusing_relay: FakeRelay
) -> None:
    smtp_port = free_port()
    env = mail_hub_env(mongo_url, db, tmp_path, refusing_relay, smtp_port)
    first = await asyncio.to_thread(HubProcess(env).start)
    try:
        await send_mail(smtp_port, customer_mail(), sender="mina@example.test")
        inbound = await db["messages"].find_one({"direction": "in"})
        assert inbound is not None
        token = await agent_token(db)
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as http, http.post(
            f"{first.base_url}/api/v1/conversations/{inbound['conversation_id']}/messages",
            json={"text": "Shipped today", "cc": "ali@example.test", "bcc": "audit@hub-archive.test"},
        ) as r:
            assert r.status == 201, await r.text()

        async def turned_away() -> bool:
            return len(refusing_relay.turned_away) >= 1

        await kill_when(first, turned_away)
    finally:
        first.stop()
    refusing_relay.data_replies.clear()  # the relay takes mail again before the next hub starts
    await settle_on_a_new_hub(env, db)

    [sent] = refusing_relay.received
    refused = refusing_relay.turned_away[0]
    assert sent.rcpt_tos == refused.rcpt_tos == ["mina@example.test", "ali@example.test", "audit@hub-archive.test"]
    assert sent.message["Cc"] == refused.message["Cc"] == "ali@example.test"
    assert sent.message["Bcc"] is None and b"audit@hub-archive.test" not in sent.data
    assert sent.message["Message-ID"] == refused.message["Message-ID"]
    [reply] = await db["messages"].find({"direction": "out"}).to_list(None)
    assert reply["status"] == "sent" and reply["attempts"] >= 2
    assert reply["provider_id"] == sent.message["Message-ID"].strip("<>").lower()
