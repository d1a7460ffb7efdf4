"""An email reply as agents of Front and Help Scout expect it: CC and BCC (BCC in the envelope only), the
agent's signature under the text, the From name "Agent (via Mailbox)" encoded for any script, the
customer's previous mail quoted in both parts, and "reply all" offering the customer's CC by default."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from hub.runtime import Hub
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import send_mail
from tests.support.agents import login, make_user

SIGNATURE = "سارا احمدی\nپشتیبانی فروشگاه · Shop support"


def customer_mail(cc: str = "", message_id: str = "cc-1@mail.example.test") -> bytes:
    headers = ("From: =?utf-8?b?2YXbjNmG2Kcg2LHYrduM2YXbjA==?= <mina@example.test>\r\n"  # مینا رحیمی
               "To: support@hub.test\r\n" + (f"Cc: {cc}\r\n" if cc else "") +
               "Subject: =?utf-8?b?2LPZgdin2LHYtCDZhdmG?=\r\n"  # سفارش من
               f"Message-ID: <{message_id}>\r\nDate: Tue, 01 Dec 2026 09:15:00 +0000\r\n"
               "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
    return (headers + "سلام،\r\nسفارش ۱۲۳۴ من کجاست؟\r\n").encode()


async def _conversation_id(hub: Hub, smtp_port: int, cc: str = "") -> str:
    await send_mail(smtp_port, customer_mail(cc), sender="mina@example.test")
    inbound = await hub.db["messages"].find_one({"direction": "in", "channel": "email"})
    assert inbound is not None
    return str(inbound["conversation_id"])


async def _agent(hub: Hub, http: aiohttp.ClientSession, base_url: str, name: str = "سارا احمدی",
                 signature: str | None = SIGNATURE) -> str:
    await make_user(hub.db, "sara@x.test", name=name)
    csrf = await login(http, base_url, "sara@x.test")
    if signature is not None:
        async with http.post(f"{base_url}/profile/signature", json={"signature": signature},
                             headers={"X-CSRF-Token": csrf, "Accept": "application/json"}) as r:
            assert r.status == 200, await r.text()
            assert (await r.json())["signature"] == signature
    return csrf


async def _reply(http: aiohttp.ClientSession, base_url: str, csrf: str, conversation_id: str,
                 **body: object) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/reply", json=body,
                         headers={"X-CSRF-Token": csrf}) as r:
        return r.status, await r.json()


async def test_a_reply_with_cc_and_bcc_arrives_with_a_cc_header_and_the_bcc_only_in_the_envelope(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    conversation_id = await _conversation_id(hub, smtp_port)
    csrf = await _agent(hub, http, base_url)
    status, body = await _reply(http, base_url, csrf, conversation_id, text="بسته امروز ارسال می‌شود.",
                                cc="Ali Karimi <Ali@Example.test>; reza@example.test", bcc="audit@hub-archive.test")
    assert status == 201, body
    [sent] = await relay.wait_for(1)
    mail = sent.message
    assert sent.rcpt_tos == ["mina@example.test", "ali@example.test", "reza@example.test", "audit@hub-archive.test"]
    assert [a.addr_spec for a in mail["Cc"].addresses] == ["ali@example.test", "reza@example.test"]
    assert mail["Bcc"] is None and b"audit@hub-archive.test" not in sent.data
    assert mail["To"].addresses[0].addr_spec == "mina@example.test"
    stored = await hub.db["messages"].find_one({"_id": ObjectId(body["message"]["id"])})
    assert stored is not None
    assert stored["extras"]["cc"] == ["ali@example.test", "reza@example.test"]
    assert stored["extras"]["bcc"] == ["audit@hub-archive.test"]
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        page = await r.text()
    assert 'class="mail-recipients' in page and "ali@example.test" in page and "reza@example.test" in page


async def test_the_signature_goes_below_the_text_and_the_previous_mail_is_quoted_in_both_parts(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    conversation_id = await _conversation_id(hub, smtp_port)
    csrf = await _agent(hub, http, base_url)
    status, body = await _reply(http, base_url, csrf, conversation_id, text="بسته امروز ارسال می‌شود.")
    assert status == 201, body
    [sent] = await relay.wait_for(1)
    mail = sent.message
    plain, rich = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain is not None and rich is not None
    text = plain.get_content()
    assert text.index("بسته امروز ارسال می‌شود.") < text.index("\n-- \nسارا احمدی\nپشتیبانی فروشگاه")
    attribution = "On Tue, 01 Dec 2026 at 09:15 UTC, مینا رحیمی <mina@example.test> wrote:"
    assert text.index("-- \n") < text.index(attribution)
    assert f"{attribution}\n> سلام،\n> سفارش ۱۲۳۴ من کجاست؟" in text
    html = rich.get_content()
    assert html.index("بسته امروز") < html.index("سارا احمدی") < html.index("<blockquote")
    assert "سفارش ۱۲۳۴ من کجاست؟" in html[html.index("<blockquote"):]
    assert mail["In-Reply-To"] == "<cc-1@mail.example.test>"  # threading as before
    assert mail["References"] == "<cc-1@mail.example.test>"


@pytest.mark.parametrize("name", ["سارا احمدی", "王芳"])
async def test_the_from_name_is_the_agent_via_the_mailbox_encoded_for_any_script(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay, name: str
) -> None:
    conversation_id = await _conversation_id(hub, smtp_port)
    csrf = await _agent(hub, http, base_url, name=name, signature=None)
    assert (await _reply(http, base_url, csrf, conversation_id, text="OK"))[0] == 201
    [sent] = await relay.wait_for(1)
    headers = sent.data.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    raw_from = next(line for line in headers.split(b"\r\n") if line.startswith(b"From:"))
    assert raw_from.isascii() and b"=?utf-8?" in raw_from  # an RFC 2047 encoded word, not raw UTF-8
    sender = sent.message["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (f"{name} (via Support)", "support@hub.test")


async def test_a_bad_cc_address_is_refused_by_name_and_nothing_is_queued(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int
) -> None:
    conversation_id = await _conversation_id(hub, smtp_port)
    csrf = await _agent(hub, http, base_url)
    status, body = await _reply(http, base_url, csrf, conversation_id, text="Hello",
                                cc="ali@example.test, ali at example dot test")
    assert status == 400
    assert "'ali at example dot test'" in body["error"] and "CC" in body["error"]
    status, body = await _reply(http, base_url, csrf, conversation_id, text="Hello", bcc="bob@")
    assert status == 400 and "'bob@'" in body["error"] and "BCC" in body["error"]
    assert await hub.db["messages"].count_documents({"direction": "out"}) == 0


async def test_a_note_never_carries_a_signature_and_refuses_a_cc(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int
) -> None:
    conversation_id = await _conversation_id(hub, smtp_port)
    csrf = await _agent(hub, http, base_url)
    status, body = await _reply(http, base_url, csrf, conversation_id, text="Customer is a VIP", note="true")
    assert status == 201, body
    note = await hub.db["messages"].find_one({"_id": ObjectId(body["message"]["id"])})
    assert note is not None and note["direction"] == "note" and note["text"] == "Customer is a VIP"
    assert "signature" not in str(note) and "سارا احمدی\nپشتیبانی" not in str(note)
    status, body = await _reply(http, base_url, csrf, conversation_id, text="FYI", note="true", cc="ali@example.test")
    assert status == 400 and "note" in body["error"]


async def test_the_customers_cc_is_the_default_reply_cc_without_our_own_mailboxes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int
) -> None:
    conversation_id = await _conversation_id(
        hub, smtp_port, cc="Ali <ali@example.test>, Support <support@hub.test>, sales@hub.test, reza@example.test")
    inbound = await hub.db["messages"].find_one({"direction": "in"})
    assert inbound is not None
    assert inbound["extras"]["cc"] == ["ali@example.test", "support@hub.test", "sales@hub.test", "reza@example.test"]
    await _agent(hub, http, base_url)
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        page = await r.text()
    assert 'name="cc"' in page and 'value="ali@example.test, reza@example.test"' in page
    assert "-- <br>سارا احمدی\nپشتیبانی فروشگاه" in page  # the signature preview under the text box


async def test_a_signature_over_two_thousand_characters_is_refused_and_an_empty_one_removes_it(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await _agent(hub, http, base_url)
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    async with http.post(f"{base_url}/profile/signature", json={"signature": "س" * 2001}, headers=headers) as r:
        assert r.status == 400 and "at most 2,000 characters" in (await r.json())["error"]
    user = await hub.db["users"].find_one({"email": "sara@x.test"})
    assert user is not None and user["signature"] == SIGNATURE  # the refused one changed nothing
    async with http.post(f"{base_url}/profile/signature", data={"signature": "", "_csrf": csrf}) as r:
        assert r.status == 200 and "Signature removed." in await r.text()
    user = await hub.db["users"].find_one({"email": "sara@x.test"})
    assert user is not None and "signature" not in user
