"""A visitor proves an email with a six-digit code mailed through the mailbox's SMTP (a real aiosmtpd)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import aiohttp

from channels.base import WEBCHAT, Identity
from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import contacts, verifications
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.webchat.conftest import code_in, customer_with_history
from tests.support.agents import Visitor


async def ask_code(visitor: Visitor, email: str) -> dict[str, object]:
    await visitor.send({"type": "verify_start", "email": email})
    return await visitor.receive("verify_sent")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_the_mailed_code_joins_the_customer_and_shows_their_history(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    ana = Visitor(http, base_url)
    ana_id = await customer_with_history(hub, ana, "ana@example.com", "invoice 55 please")
    await ana.close()

    visitor = Visitor(http2, base_url)
    welcome = await visitor.connect()
    await visitor.say("hi, it's Ana on my phone", "p-1")
    sent = await ask_code(visitor, "Ana@Example.com")
    assert sent == {"type": "verify_sent", "email": "ana@example.com", "valid_seconds": 600.0, "tries": 5}
    [mail] = await relay.wait_for(1)
    assert mail.rcpt_tos == ["ana@example.com"] and mail.mail_from == "help@shop.test"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    stored = await verifications.pending(hub.db, welcome["visitor_id"])
    assert stored is not None and code_in(mail) not in repr(stored)  # kept hashed only

    await visitor.send({"type": "verify_code", "code": code_in(mail)})
    assert (await visitor.receive("verified"))["value"] == "ana@example.com"
    fresh = await visitor.receive("welcome")
    assert [m["text"] for m in fresh["history"]] == ["invoice 55 please", "hi, it's Ana on my phone"]
    joined = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, welcome["visitor_id"]))
    assert joined is not None and joined["_id"] == ana_id
    await visitor.send({"type": "verify_code", "code": code_in(mail)})  # a code works once
    assert (await visitor.receive("error"))["code"] == "no_code"
    await visitor.close()


async def test_five_wrong_codes_use_up_the_code_then_the_next_try_waits_and_the_wait_ends(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    await ask_code(visitor, "ana@example.com")
    code = code_in((await relay.wait_for(1))[0])
    refusals = []
    for attempt in range(5):
        await visitor.send({"type": "verify_code", "code": wrong(code) if attempt % 2 else "12x"})
        refusals.append(await visitor.receive("error"))
    assert [(r["code"], r["tries_left"]) for r in refusals] == [
        ("wrong_code", 4), ("wrong_code", 3), ("wrong_code", 2), ("wrong_code", 1), ("no_tries", 0)]
    assert "1 try left" in str(refusals[3]["error"])
    await visitor.send({"type": "verify_code", "code": code})  # the right code, too late
    assert (await visitor.receive("error"))["code"] == "no_code"
    assert await contacts.find_by_identity(hub.db, Identity("email", "ana@example.com")) is None
    assert await verifications.pending(hub.db, welcome["visitor_id"]) is None

    # Wrong codes are remembered across codes: the next try must wait, and the wait ends by itself.
    await ask_code(visitor, "ana@example.com")
    second = code_in((await relay.wait_for(2))[1])
    await visitor.send({"type": "verify_code", "code": second})
    waiting = await visitor.receive("error")
    assert waiting["code"] == "rate_limited" and 0 < float(waiting["retry_after"]) <= 5
    assert "try again in" in str(waiting["error"])
    await asyncio.sleep(float(waiting["retry_after"]) + 0.2)
    await visitor.send({"type": "verify_code", "code": second})
    assert (await visitor.receive("verified"))["value"] == "ana@example.com"
    await visitor.close()


async def test_an_expired_code_is_refused_even_when_it_is_right(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    await ask_code(visitor, "ana@example.com")
    code = code_in((await relay.wait_for(1))[0])
    # As if ten minutes had passed: the pending code's expiry is in the past.
    await hub.db[model.VERIFICATIONS].update_one(
        {"_id": welcome["visitor_id"]}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}})
    await visitor.send({"type": "verify_code", "code": code})
    expired = await visitor.receive("error")
    assert expired["code"] == "expired" and "expired" in str(expired["error"])
    await visitor.send({"type": "verify_code", "code": code})
    assert (await visitor.receive("error"))["code"] == "no_code"
    assert await contacts.find_by_identity(hub.db, Identity("email", "ana@example.com")) is None
    await visitor.close()


async def test_codes_for_one_address_are_limited_to_three_an_hour_whoever_asks(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    first, second = Visitor(http, base_url), Visitor(http2, base_url)
    await first.connect()
    await second.connect()
    for visitor in (first, second, first):
        await ask_code(visitor, "ana@example.com")
    await second.send({"type": "verify_start", "email": "ANA@example.com"})
    limited = await second.receive("error")
    assert limited["code"] == "rate_limited" and 0 < float(limited["retry_after"]) <= 3600
    assert "try again in" in str(limited["error"])
    await relay.wait_for(3)
    assert len(relay.received) == 3
    await second.send({"type": "verify_start", "email": "other@example.com"})  # another address still goes
    await second.receive("verify_sent")
    await first.close()
    await second.close()


async def test_one_visitor_may_ask_for_five_codes_an_hour(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    for n in range(5):
        await ask_code(visitor, f"person{n}@example.com")
    await visitor.send({"type": "verify_start", "email": "person5@example.com"})
    assert (await visitor.receive("error"))["code"] == "rate_limited"
    await relay.wait_for(5)
    assert sorted(r.rcpt_tos[0] for r in relay.received) == [f"person{n}@example.com" for n in range(5)]
    await visitor.close()


async def test_asking_for_a_code_answers_alike_for_a_customer_and_for_nobody(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    ana = Visitor(http, base_url)
    await customer_with_history(hub, ana, "ana@example.com", "hello")
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    known = await ask_code(visitor, "ana@example.com")
    unknown = await ask_code(visitor, "nobody@example.com")
    assert {**known, "email": ""} == {**unknown, "email": ""}
    mails = await relay.wait_for(2)
    assert [m.message["Subject"].split(":")[0] for m in mails] == ["Your chat code", "Your chat code"]
    await ana.close()
    await visitor.close()


async def test_without_a_mailbox_that_can_send_the_visitor_is_told_no_code_was_sent(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    hub.channels.pop("email", None)
    visitor = Visitor(http, base_url)
    welcome = await visitor.connect()
    await visitor.send({"type": "verify_start", "email": "ana@example.com"})
    assert (await visitor.receive("error"))["code"] == "not_sent"
    assert await verifications.pending(hub.db, welcome["visitor_id"]) is None
    await visitor.close()


async def test_new_visitor_ids_from_one_client_address_share_a_limit_of_twenty_codes_an_hour(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    for n in range(4):
        visitor = Visitor(http, base_url)  # no token: a fresh visitor id each time
        await visitor.connect()
        for m in range(5):
            await ask_code(visitor, f"p{n}-{m}@example.com")
        await visitor.close()
    fifth = Visitor(http, base_url)
    await fifth.connect()
    await fifth.send({"type": "verify_start", "email": "p5@example.com"})
    assert (await fifth.receive("error"))["code"] == "rate_limited"
    assert len(await relay.wait_for(20)) == 20
    await fifth.close()
