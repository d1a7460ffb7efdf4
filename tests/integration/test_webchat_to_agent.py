"""A visitor writes on the website chat, an agent sees it live, replies, and the visitor receives it."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub.runtime import Hub
from hub.store import messages
from hub.store.documents import Message
from tests.support.agents import Visitor, login, make_user, next_event, sse_events
from tests.support.polling import poll_until


async def test_visitor_message_reaches_agent_live_and_reply_reaches_visitor(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test", departments=("Support",))
    csrf = await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/inbox/events") as stream_response:
        stream = sse_events(stream_response)
        await next_event(stream, "ready", {})
        visitor = Visitor(http2, base_url)
        welcome = await visitor.connect()
        assert welcome["history"] == []
        ack = await visitor.say("سلام، سفارش من کجاست؟", "c1")
        seen = await next_event(stream, "messages", {"id": ack["id"]})
        assert seen["text"] == "سلام، سفارش من کجاست؟"
        conversation_id = seen["conversation_id"]

        async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                             data={"text": "Your order ships today.", "client_key": "k1"},
                             headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 201, await r.text()
            reply_id = (await r.json())["message"]["id"]
        pushed = await visitor.receive("message")
        assert pushed["message"]["text"] == "Your order ships today."
        assert pushed["message"]["id"] == reply_id
        await visitor.close()

    async def delivered() -> Message | None:
        doc = await messages.get(hub.db, ObjectId(reply_id))
        return doc if doc and doc["status"] == "delivered" else None

    await poll_until(delivered, f"reply {reply_id} delivered", timeout=5)


async def test_reload_with_token_shows_history_including_agent_reply(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    welcome = await visitor.connect()
    ack = await visitor.say("你好，我需要帮助", "hello-1")
    message = await messages.get(hub.db, ObjectId(ack["id"]))
    assert message is not None
    async with http.post(f"{base_url}/api/v1/conversations/{message['conversation_id']}/messages",
                         json={"text": "Xin chào! Tôi có thể giúp gì?"}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201
    await visitor.receive("message")
    await visitor.close()

    again = Visitor(http2, base_url)
    reloaded = await again.connect(token=welcome["token"])
    assert reloaded["visitor_id"] == welcome["visitor_id"]
    assert [m["text"] for m in reloaded["history"]] == ["你好，我需要帮助", "Xin chào! Tôi có thể giúp gì?"]
    await again.close()


async def test_visitor_email_of_existing_contact_is_only_a_claim_and_joins_nothing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    """Issue 10: typing an address proves nothing, so it no longer joins the contact that holds it
    (tests/integration/webchat/ covers the proofs that do)."""
    from hub.store import contacts

    first = Visitor(http, base_url)
    await first.connect()
    first_ack = await first.say("first visit", "a")
    await first.send({"type": "identify", "name": "Mina", "email": "Mina@Example.COM"})
    await first.receive("identified")
    await first.close()

    second = Visitor(http2, base_url)  # another browser, another visitor id
    await second.connect()
    ack = await second.say("back again from my phone", "b")
    await second.send({"type": "identify", "email": "mina@example.com"})
    identified = await second.receive("identified")
    assert identified["name"] is None and identified["verified"] is False
    mine = await messages.get(hub.db, ObjectId(ack["id"]))
    theirs = await messages.get(hub.db, ObjectId(first_ack["id"]))
    assert mine is not None and theirs is not None
    assert mine["contact_id"] != theirs["contact_id"]
    contact = await contacts.get(hub.db, mine["contact_id"])
    assert contact is not None
    assert [i["kind"] for i in contact["identities"]] == ["webchat"]
    assert [(c["kind"], c["value"]) for c in contact["claims"]] == [("email", "mina@example.com")]
    await second.close()


async def test_a_file_an_agent_attaches_reaches_the_visitor_as_a_signed_link(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    hub.settings.public_url = base_url  # links are made on the public URL; here that is the test server
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    welcome = await visitor.connect()
    ack = await visitor.say("can you send the invoice?", "f-1")
    message = await messages.get(hub.db, ObjectId(ack["id"]))
    assert message is not None
    data = aiohttp.FormData(quote_fields=False)
    data.add_field("text", "Here it is")
    data.add_field("file", b"%PDF-1.4 invoice", filename="فاکتور.pdf", content_type="application/pdf")
    async with http.post(f"{base_url}/api/v1/conversations/{message['conversation_id']}/messages", data=data,
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201, await r.text()
    pushed = (await visitor.receive("message"))["message"]
    [attachment] = pushed["attachments"]
    assert attachment["filename"] == "فاکتور.pdf"
    async with aiohttp.ClientSession() as anyone, anyone.get(attachment["url"]) as r:  # no login needed
        assert r.status == 200 and await r.read() == b"%PDF-1.4 invoice"
    async with aiohttp.ClientSession() as anyone, anyone.get(attachment["url"].replace("sig=", "sig=0")) as r:
        assert r.status == 403
    await visitor.close()
    again = Visitor(http2, base_url)
    reloaded = await again.connect(token=welcome["token"])
    assert reloaded["history"][-1]["attachments"][0]["filename"] == "فاکتور.pdf"
    await again.close()
