"""Mail in over SMTP, the agent sees it live and answers, the relay gets a threaded multipart mail,
and the customer's answer to that mail joins the same conversation (reopening it if resolved)."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import conversations, messages
from hub.store.documents import Message
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import fixture, send_mail
from tests.support.agents import login, make_user, next_event, sse_events
from tests.support.polling import poll_until


def customer_reply(to_message_id: str, references: str, subject: str, body: str, message_id: str) -> bytes:
    return (f"From: Mina Rahimi <mina.rahimi@gmail.test>\r\nTo: support@hub.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{message_id}>\r\nIn-Reply-To: {to_message_id}\r\nReferences: {references}\r\n"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\r\n"
            f"On Mon, Support <support@hub.test> wrote:\r\n> Your order ships today.\r\n").encode()


async def test_mail_in_agent_reply_out_and_customer_reply_threads_into_the_same_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    await make_user(hub.db, "agent@x.test", departments=("Support",))
    csrf = await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/inbox/events") as stream_response:
        stream = sse_events(stream_response)
        await next_event(stream, "ready", {})
        await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
        seen = await next_event(stream, "messages", {"direction": "in", "op": "insert"})
    assert seen["text"].startswith("سلام،\nسفارش من هنوز نرسیده")
    conversation_id = seen["conversation_id"]

    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                         json={"text": "Your order ships today.\n\nTracking: <b>123</b>"},
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201, await r.text()
        reply_id = (await r.json())["message"]["id"]
    [sent] = await relay.wait_for(1)
    mail = sent.message
    assert sent.mail_from == "support@hub.test" and sent.rcpt_tos == ["mina.rahimi@gmail.test"]
    assert mail["From"].addresses[0].addr_spec == "support@hub.test"
    assert mail["Subject"] == "Re: سلام، سفارش ۱۲۳۴ من کجاست؟"
    assert mail["In-Reply-To"] == "<CAF=7x3mPq0Lw@mail.gmail.test>"
    assert mail["References"] == "<CAF=7x3mPq0Lw@mail.gmail.test>"
    assert mail["Message-ID"].startswith(f"<conv-{conversation_id}.msg-{reply_id}.")
    assert mail["Auto-Submitted"] is None
    assert mail.get_content_type() == "multipart/alternative"
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and "Tracking: <b>123</b>" in plain.get_content()
    assert rich is not None and "Tracking: &lt;b&gt;123&lt;/b&gt;" in rich.get_content()
    # The relay has the mail before the dispatcher records the send: wait for the record.
    async def recorded() -> Message | None:
        doc = await messages.get(hub.db, ObjectId(reply_id))
        return doc if doc is not None and doc["status"] != "queued" else None

    stored = await poll_until(recorded, f"reply {reply_id} past queued", timeout=5)
    assert stored["status"] == "sent"
    assert stored["provider_id"] == mail["Message-ID"].strip("<>").lower()

    await conversations.set_status(hub.db, ObjectId(conversation_id), "resolved", utcnow())
    await send_mail(smtp_port, customer_reply(mail["Message-ID"], f"{mail['References']} {mail['Message-ID']}",
                                              "Re: Re: order", "Thanks, it arrived!", "reply-2@gmail.test"))
    answer = await hub.db["messages"].find_one({"extras.message_id": "reply-2@gmail.test"})
    assert answer is not None and str(answer["conversation_id"]) == conversation_id
    assert answer["text"] == "Thanks, it arrived!"
    assert "Your order ships today." in answer["extras"]["full_text"]
    reopened = await conversations.get(hub.db, ObjectId(conversation_id))
    assert reopened is not None and reopened["status"] == "open" and reopened["active"] is True
    assert await hub.db["conversations"].count_documents({}) == 1


async def test_same_subject_without_our_message_id_never_joins_a_resolved_conversation(
    hub: Hub, smtp_port: int
) -> None:
    await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
    first = await hub.db["messages"].find_one({"direction": "in"})
    assert first is not None
    await conversations.set_status(hub.db, first["conversation_id"], "resolved", utcnow())
    again = fixture("persian_subject_rfc2047.eml").replace(b"CAF=7x3mPq0Lw", b"another-id")
    await send_mail(smtp_port, again, recipients=("sales@hub.test",))
    second = await hub.db["messages"].find_one({"extras.message_id": "another-id@mail.gmail.test"})
    assert second is not None and second["conversation_id"] != first["conversation_id"]
    old = await conversations.get(hub.db, first["conversation_id"])
    assert old is not None and old["status"] == "resolved"


async def test_reply_naming_another_customers_conversation_does_not_join_it(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
    victim = await hub.db["messages"].find_one({"direction": "in"})
    assert victim is not None
    forged = f"conv-{victim['conversation_id']}.msg-{victim['_id']}.0000@hub.test"
    raw = customer_reply(f"<{forged}>", f"<{forged}>", "Re: hi", "let me in", "forged-1@evil.test")
    await send_mail(smtp_port, raw.replace(b"mina.rahimi@gmail.test", b"mallory@evil.test"))
    intruder = await hub.db["messages"].find_one({"extras.message_id": "forged-1@evil.test"})
    assert intruder is not None and intruder["conversation_id"] != victim["conversation_id"]
