"""A reply mail sent again (no answer from the relay, or a 4xx) carries the Message-ID of the first
attempt, so a receiver that already has the first copy sees the same mail, not a second one."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.outbound import replies as outbox
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import ATTACHMENT_LIMIT, mailboxes
from tests.integration.email.test_loops_bounces_and_sending import first_conversation, wait_status
from tests.support.agents import make_user


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relay: FakeRelay,
             smtp_port: int) -> Settings:
    monkeypatch.setenv("EMAIL_MAILBOXES", mailboxes(relay.port))
    return make_settings(mongo_url, tmp_path, smtp_listen=f"127.0.0.1:{smtp_port}",
                         max_attachment_bytes=ATTACHMENT_LIMIT,
                         outbox_lease_seconds=0.5)  # a send times out after two leases: 1 s


async def test_a_mail_the_relay_took_without_answering_is_resent_with_the_same_message_id(
    hub: Hub, smtp_port: int, relay: FakeRelay
) -> None:
    conversation = await first_conversation(hub, smtp_port)
    relay.slow, relay.delay_seconds = 1, 3.0  # past the hub's send timeout: kept, never acknowledged
    agent = await make_user(hub.db, "agent@x.test")
    queued, _ = await outbox.post(hub, agent, conversation, "Hello once")
    sent = await wait_status(hub, queued["_id"], "sent")
    received = await relay.wait_for(2)
    ids = [r.message["Message-ID"] for r in received]
    assert ids[0] == ids[1] and sent["provider_id"] == ids[0].strip("<>").lower()
    assert sent["attempts"] == 2 and "delivery_uncertain" not in sent


async def test_a_retry_after_a_temporary_refusal_keeps_the_message_id(
    hub: Hub, smtp_port: int, relay: FakeRelay
) -> None:
    conversation = await first_conversation(hub, smtp_port)
    relay.data_replies.append("451 4.3.0 try again later")
    agent = await make_user(hub.db, "agent@x.test")
    queued, _ = await outbox.post(hub, agent, conversation, "Hello")
    sent = await wait_status(hub, queued["_id"], "sent")
    (received,) = await relay.wait_for(1)
    (refused,) = relay.turned_away
    assert sent["attempts"] == 2
    assert refused.message["Message-ID"] == received.message["Message-ID"]
    assert sent["provider_id"] == received.message["Message-ID"].strip("<>").lower()
