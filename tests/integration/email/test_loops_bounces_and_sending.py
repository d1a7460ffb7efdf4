"""Bounces fail our message, automatic mail is flagged so nothing answers it, reopening is capped,
and the relay's 4xx/5xx answers become retries or readable failures."""

from __future__ import annotations

import logging

import pytest
from bson import ObjectId

from hub.clock import utcnow
from hub.outbound import replies as outbox
from hub.runtime import Hub
from hub.store import conversations, messages
from hub.store.documents import Conversation, Message
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import fixture, send_mail
from tests.support.agents import make_user
from tests.support.polling import poll_until

OURS = "conv-65a000000000000000000001.msg-65a000000000000000000002.abcd1234@hub.test"


async def wait_status(hub: Hub, message_id: ObjectId, status: str) -> Message:
    async def reached() -> Message | None:
        doc = await messages.get(hub.db, message_id)
        return doc if doc is not None and doc["status"] == status else None

    return await poll_until(reached, f"message {message_id} {status}", timeout=10)


async def first_conversation(hub: Hub, smtp_port: int) -> Conversation:
    await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
    message = await hub.db["messages"].find_one({"direction": "in"})
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    assert conversation is not None
    return conversation


async def test_a_bounce_marks_our_message_failed_with_the_servers_reason(hub: Hub, smtp_port: int) -> None:
    sent = await hub.db["messages"].insert_one({
        "direction": "out", "channel": "email", "status": "sent", "status_rank": 1, "provider_id": OURS,
        "conversation_id": ObjectId("65a000000000000000000001"), "text": "Your order", "created_at": utcnow()})
    await send_mail(smtp_port, fixture("bounce_dsn_for_our_message.eml"), sender="MAILER-DAEMON@mx.customer.test")
    failed = await messages.get(hub.db, sent.inserted_id)
    assert failed is not None and failed["status"] == "failed"
    assert "550 5.1.1" in (failed["error"] or "") and "gone@customer.test" in (failed["error"] or "")
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 0  # not a customer message
    assert await hub.db["contacts"].count_documents({}) == 0


async def test_out_of_office_reply_is_kept_but_flagged_so_no_automatic_reply_answers_it(
    hub: Hub, smtp_port: int
) -> None:
    await send_mail(smtp_port, fixture("auto_reply_out_of_office.eml"))
    [message] = await hub.db["messages"].find({"direction": "in"}).to_list(5)
    assert message["text"] == "I am out of the office until Monday."
    assert message["extras"]["auto_submitted"] is True
    assert message["extras"]["auto_reason"] == "Auto-Submitted: auto-replied"


async def test_automatic_reply_to_an_automatic_mail_is_refused_so_two_robots_cannot_loop(
    hub: Hub, smtp_port: int, relay: FakeRelay
) -> None:
    await send_mail(smtp_port, fixture("auto_reply_out_of_office.eml"))
    message = await hub.db["messages"].find_one({"direction": "in"})
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    agent = await make_user(hub.db, "bot@x.test")
    queued, _ = await outbox.post(hub, agent, conversation or {}, "We got your mail.", extras={"automatic": True})
    failed = await wait_status(hub, queued["_id"], "failed")
    assert "automatic reply to an automatic mail" in (failed["error"] or "")
    assert relay.received == []


async def test_automatic_reply_to_a_person_carries_auto_submitted(
    hub: Hub, smtp_port: int, relay: FakeRelay
) -> None:
    conversation = await first_conversation(hub, smtp_port)
    agent = await make_user(hub.db, "bot@x.test")
    await outbox.post(hub, agent, conversation, "We got your mail.", extras={"automatic": True})
    [sent] = await relay.wait_for(1)
    assert sent.message["Auto-Submitted"] == "auto-replied"


async def test_one_sender_may_reopen_resolved_conversations_only_a_few_times_an_hour(
    hub: Hub, smtp_port: int
) -> None:
    conversation = await first_conversation(hub, smtp_port)  # the cap is 2 in these tests
    ours = f"<conv-{conversation['_id']}.msg-{'0' * 24}.1@hub.test>"
    statuses = []
    for n in range(3):
        await conversations.set_status(hub.db, conversation["_id"], "resolved", utcnow())
        reply = (f"From: mina.rahimi@gmail.test\r\nTo: support@hub.test\r\nSubject: again\r\n"
                 f"Message-ID: <again-{n}@gmail.test>\r\nIn-Reply-To: {ours}\r\n\r\nstill there? {n}\r\n").encode()
        await send_mail(smtp_port, reply)
        doc = await conversations.get(hub.db, conversation["_id"])
        statuses.append(doc["status"] if doc else None)
    assert statuses == ["open", "open", "resolved"]
    third = await hub.db["messages"].find_one({"extras.message_id": "again-2@gmail.test"})
    assert third is not None and third["conversation_id"] == conversation["_id"]  # kept, just not reopened


@pytest.mark.parametrize(("where", "answer", "final", "words"), [
    ("rcpt", "550 5.1.1 mailbox unavailable", "failed", "550 5.1.1 mailbox unavailable"),
    ("data", "554 5.7.1 message rejected as spam", "failed", "554 5.7.1 message rejected as spam"),
    ("data", "451 4.3.0 greylisted, try later", "sent", ""),
])
async def test_relay_answers_become_a_retry_or_a_readable_failure(
    hub: Hub, smtp_port: int, relay: FakeRelay, where: str, answer: str, final: str, words: str
) -> None:
    conversation = await first_conversation(hub, smtp_port)
    if where == "rcpt":
        relay.refuse["mina.rahimi@gmail.test"] = answer
    else:
        relay.data_replies.append(answer)
    agent = await make_user(hub.db, "agent@x.test")
    queued, _ = await outbox.post(hub, agent, conversation, "Hello")
    done = await wait_status(hub, queued["_id"], final)
    if final == "failed":
        assert words in (done["error"] or "") and "127.0.0.1" in (done["error"] or "")
        assert done["attempts"] == 1
    else:
        assert done["attempts"] == 2 and "451" in done["last_error"]
        assert len(relay.received) == 1


async def test_mailbox_passwords_never_reach_the_logs(
    hub: Hub, smtp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    conversation = await first_conversation(hub, smtp_port)
    agent = await make_user(hub.db, "agent@x.test")
    queued, _ = await outbox.post(hub, agent, conversation, "Hello")
    await wait_status(hub, queued["_id"], "sent")
    assert "relay-secret-never-logged" not in caplog.text
    assert "support@hub.test" in repr(hub.channels["email"].config.mailboxes)  # type: ignore[attr-defined]
    assert "relay-secret-never-logged" not in repr(hub.channels["email"].config)  # type: ignore[attr-defined]

