"""Search by who the customer is: a phone number however the agent types it, a Telegram @username."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from channels.base import TELEGRAM, Identity, InboundMessage
from hub import names as model
from hub.clock import utcnow
from hub.inbound.ingest import IngestResult, ingest
from hub.inbound.usernames import backfill
from hub.runtime import Hub
from tests.integration.inbox.helpers import arrive
from tests.support.agents import login, make_user


async def _found(http: aiohttp.ClientSession, base_url: str, q: str) -> tuple[set[str], set[str]]:
    async with http.get(f"{base_url}/api/v1/search", params={"q": q}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    return {c["id"] for c in body["conversations"]}, {c["id"] for c in body["contacts"]}


async def _by_identity(http: aiohttp.ClientSession, base_url: str, identity: str) -> set[str]:
    async with http.get(f"{base_url}/api/v1/contacts", params={"identity": identity}) as r:
        assert r.status == 200, await r.text()
        return {c["id"] for c in (await r.json())["contacts"]}


async def _telegram(hub: Hub, user_id: str, username: str | None, text: str) -> IngestResult:
    """A Telegram message as channels/telegram hands it over: the id is the identity, the username an extra."""
    return await ingest(hub, InboundMessage(
        channel="telegram", identity=Identity(TELEGRAM, user_id), text=text, received_at=utcnow(),
        external_id=f"1:{user_id}:{text}", contact_name="Sara", raw={"text": text},
        extras={"username": username, "chat_id": int(user_id)}))


async def test_a_phone_number_in_any_format_or_script_finds_the_sms_and_whatsapp_contact(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    iran = await arrive(hub, "سلام، سفارش من کجاست؟", "+989123456789", channel="whatsapp")
    usa = await arrive(hub, "Where is my order?", "+14155550100", channel="sms")
    await arrive(hub, "another customer", "+989123456780", channel="sms")
    await login(http, base_url, "lead@x.test")
    iran_ids = ({str(iran.conversation["_id"])}, {str(iran.contact["_id"])})
    usa_ids = ({str(usa.conversation["_id"])}, {str(usa.contact["_id"])})

    for typed in ("0912 345 6789", "0912-345-6789", "912.345.6789", "(0912) 345 6789", "+98 912 345 6789",
                  "0098 912 345 6789", "+989123456789", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "٠٩١٢٣٤٥٦٧٨٩", "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹"):
        assert await _found(http, base_url, typed) == iran_ids, typed
    for typed in ("(415) 555-0100", "415-555-0100", "+1 415 555 0100", "001 415 555 0100", "555-0100"):
        assert await _found(http, base_url, typed) == usa_ids, typed

    # International means the whole number: another country code with the same subscriber is not it.
    assert await _found(http, base_url, "+7 912 345 6789") == (set(), set())
    # A national number must end where the stored one ends: the same digits inside it are not it.
    assert (await _found(http, base_url, "912 345 678"))[1] == set()
    # The API's identity lookup reads numbers the same way.
    assert await _by_identity(http, base_url, "phone:0912 345 6789") == iran_ids[1]
    assert await _by_identity(http, base_url, "phone:+98 (912) 345-6789") == iran_ids[1]
    assert await _by_identity(http, base_url, "phone:+7 912 345 6789") == set()
    # The search page lists the same conversation and contact.
    async with http.get(f"{base_url}/inbox/search", params={"q": "۰۹۱۲ ۳۴۵ ۶۷۸۹"}) as r:
        page = await r.text()
    assert str(iran.conversation["_id"]) in page and f"/inbox/contacts/{iran.contact['_id']}" in page
    assert str(usa.conversation["_id"]) not in page


async def test_digits_in_any_script_find_message_text_written_in_another(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    order = await arrive(hub, "شماره سفارش ۴۵۲۱۷ رسید؟", "v-fa")
    await login(http, base_url, "lead@x.test")
    assert (await _found(http, base_url, "45217"))[0] == {str(order.conversation["_id"])}
    assert (await _found(http, base_url, "٤٥٢١٧"))[0] == {str(order.conversation["_id"])}
    assert (await _found(http, base_url, "४५२१७"))[0] == {str(order.conversation["_id"])}  # Devanagari


async def test_a_telegram_username_with_or_without_its_at_finds_the_contact_and_follows_a_rename(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    sara = await _telegram(hub, "5551234", "Sara_K", "hello from telegram")
    await _telegram(hub, "5559999", None, "no username here")
    odd = await _telegram(hub, "5558888", "not a <username>", "a username no channel would send")
    await login(http, base_url, "lead@x.test")
    expected = ({str(sara.conversation["_id"])}, {str(sara.contact["_id"])})
    for typed in ("@Sara_K", "@sara_k", "sara_k", "SARA_K"):
        assert await _found(http, base_url, typed) == expected, typed
    assert await _by_identity(http, base_url, "telegram:@sara_k") == expected[1]
    assert await _by_identity(http, base_url, "telegram:5551234") == expected[1]  # the id still works
    assert await _by_identity(http, base_url, "telegram:۵۵۵۱۲۳۴") == expected[1]
    async with http.get(f"{base_url}/api/v1/contacts/{sara.contact['_id']}") as r:
        assert (await r.json())["usernames"] == {"telegram": "Sara_K"}
    async with http.get(f"{base_url}/api/v1/contacts/{odd.contact['_id']}") as r:
        assert "usernames" not in await r.json()  # not shaped like a username: not kept

    # The customer renames themselves: the next message carries the new name, the old one stops matching.
    await _telegram(hub, "5551234", "sara_new", "renamed")
    assert await _found(http, base_url, "@sara_new") == expected
    assert (await _found(http, base_url, "@sara_k"))[1] == set()


async def test_contacts_from_before_usernames_were_kept_get_theirs_from_their_messages(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    old = await _telegram(hub, "7770001", "old_timer", "from last year")
    plain = await _telegram(hub, "7770002", None, "never had one")
    # As an earlier version stored them: no usernames, no handles, a search text without the @name.
    for result in (old, plain):
        await hub.db[model.CONTACTS].update_one({"_id": result.contact["_id"]}, {
            "$unset": {"usernames": "", "handles": ""}, "$set": {"search_text": "sara"}})
    await login(http, base_url, "lead@x.test")
    assert (await _found(http, base_url, "@old_timer"))[1] == set()

    assert await backfill(hub.db) == 2
    assert (await _found(http, base_url, "@old_timer"))[1] == {str(old.contact["_id"])}
    # Each contact is looked at once: one without a username is remembered as having none.
    assert await backfill(hub.db) == 0
    stored = await hub.db[model.CONTACTS].find_one({"_id": ObjectId(plain.contact["_id"])})
    assert stored is not None and stored["usernames"] == {"telegram": None}
