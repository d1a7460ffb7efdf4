"""Email surveys: five signed one-click links under the question (sent to the real SMTP relay), a page
that records the first score and takes a comment with no sign-in, in the customer's language; none sent
when the last mail came from an autoresponder."""

from __future__ import annotations

import re

import aiohttp
from bson import ObjectId
from yarl import URL

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import conversations, csat, messages
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.csat.helpers import set_status, turn_on_survey
from tests.integration.email.conftest import fixture, send_mail
from tests.support.polling import poll_until

BOUNCED_ID = "conv-65a000000000000000000001.msg-65a000000000000000000002.abcd1234@hub.test"  # the DSN's
LINK = re.compile(r"https?://\S+/csat/\S+")


async def _conversation_with_mail(hub: Hub, smtp_port: int, name: str, sender: str) -> str:
    await send_mail(smtp_port, fixture(name), sender=sender)

    async def arrived() -> list[dict[str, object]]:
        return await hub.db["messages"].find({"direction": "in", "channel": "email"}).to_list(5)

    [first] = await poll_until(arrived, "the customer's mail stored")
    return str(first["conversation_id"])


async def test_email_survey_links_rate_once_and_the_page_takes_a_comment_without_signing_in(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _conversation_with_mail(hub, smtp_port, "persian_subject_rfc2047.eml",
                                                    "mina.rahimi@gmail.test")
    await hub.db["conversations"].update_one({"_id": ObjectId(conversation_id)}, {"$set": {"language": "fa"}})
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    [sent] = await relay.wait_for(1)
    mail = sent.message
    assert sent.rcpt_tos == ["mina.rahimi@gmail.test"] and mail["Auto-Submitted"] == "auto-replied"
    plain_part, html_part = mail.get_body(("plain",)), mail.get_body(("html",))
    assert plain_part is not None and html_part is not None
    plain, html = plain_part.get_content(), html_part.get_content()
    links = LINK.findall(plain)
    assert [URL(link).query["score"] for link in links] == ["1", "2", "3", "4", "5"]
    assert all(f'href="{link}"'.replace("&", "&amp;") in html for link in links)

    def local(link: str) -> str:
        return base_url + URL(link).path_qs

    async with aiohttp.ClientSession() as scanner:  # a mail scanner opens every link: nothing is rated
        for link in links:
            async with scanner.get(local(link)) as r:
                assert r.status == 200
    assert await csat.for_conversation(hub.db, ObjectId(conversation_id)) is None
    async with aiohttp.ClientSession() as customer:  # no hub cookie: a customer's browser
        async with customer.get(local(links[3])) as r:
            page = await r.text()
            assert r.status == 200, page
        assert 'dir="rtl"' in page and 'value="4" required checked' in page and "۴" in page
        async with customer.post(local(links[3]).split("?")[0] + "?lang=fa",
                                 data={"score": "4", "comment": "پاسخ سریع بود، ممنون"}) as r:
            page = await r.text()
            assert r.status == 200, page
        assert 'data-score="4"' in page and "۴" in page
        async with customer.post(local(links[0]).split("?")[0], data={"score": "1"}) as r:  # the first stands
            assert r.status == 400 and 'data-score="4"' in await r.text()
        async with customer.get(local(links[0])) as r:
            assert r.status == 200 and 'data-score="4"' in await r.text()
        forged = links[3].replace("/csat/", "/csat/" + "0" * 24 + ".")
        async with customer.get(local(forged)) as r:
            assert r.status == 404
    rating = await csat.for_conversation(hub.db, ObjectId(conversation_id))
    assert rating is not None and (rating["score"], rating["channel"]) == (4, "email")
    assert rating["comment"] == "پاسخ سریع بود، ممنون"
    timeline = await messages.timeline(hub.db, ObjectId(conversation_id), limit=200)
    kinds = [(m.get("data") or {}).get("type") for m in timeline]
    assert kinds.count("rating") == 1 and kinds.count("rating_comment") == 1
    after = await conversations.get(hub.db, ObjectId(conversation_id))
    assert after is not None and after["status"] == "resolved"
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        assert r.status == 200
        shown = await r.text()
    assert "The customer commented on their rating" in shown and "پاسخ سریع بود، ممنون" in shown


async def test_no_survey_follows_when_the_customers_last_mail_was_an_autoresponder(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _conversation_with_mail(hub, smtp_port, "auto_reply_out_of_office.eml",
                                                    "ana@customer.test")
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    assert await hub.db["messages"].count_documents({"client_key": f"csat:{conversation_id}"}) == 0
    assert relay.received == []


async def test_no_survey_goes_to_an_address_our_mail_bounced_from(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _conversation_with_mail(hub, smtp_port, "persian_subject_rfc2047.eml",
                                                    "mina.rahimi@gmail.test")
    conversation = await conversations.get(hub.db, ObjectId(conversation_id))
    assert conversation is not None
    await hub.db["messages"].insert_one({  # an earlier reply of ours, which the DSN below is about
        "direction": "out", "channel": "email", "status": "sent", "status_rank": 1, "provider_id": BOUNCED_ID,
        "conversation_id": conversation["_id"], "contact_id": conversation["contact_id"],
        "to": {"kind": "email", "value": "mina.rahimi@gmail.test"}, "text": "Your order", "created_at": utcnow()})
    await send_mail(smtp_port, fixture("bounce_dsn_for_our_message.eml"), sender="MAILER-DAEMON@mx.customer.test")
    bounced = await hub.db["messages"].find_one({"provider_id": BOUNCED_ID})
    assert bounced is not None and bounced["status"] == "failed"
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    assert await hub.db["messages"].count_documents({"client_key": f"csat:{conversation_id}"}) == 0
