"""Sharing one's own phone on Telegram joins the contact known by that number, every time, in one
database: join after join, after an undo, on redelivery, and on data an earlier version left."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from bson import ObjectId
from pymongo import AsyncMongoClient

from channels.base import PHONE, TELEGRAM, Identity
from hub import keys
from hub import names as model
from hub.app import configure, create_app
from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import contacts
from hub.store.db import Doc
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.inbox.helpers import arrive
from tests.integration.inbox.merge_invariants import check as check_invariants
from tests.integration.telegram.conftest import payload, post_update, telegram_settings
from tests.support.agents import login, make_user


def update(fixture: str, user_id: int, message_id: int, phone: str | None = None) -> dict[str, Any]:
    """A fixture update as another customer would send it (own id, own chat, own number)."""
    body = payload(fixture)
    body["update_id"] = 800_000_000 + user_id * 100 + message_id
    message = body["message"]
    message["message_id"] = message_id
    message["from"]["id"] = message["chat"]["id"] = user_id
    if "contact" in message:
        message["contact"]["user_id"] = user_id
        message["contact"]["phone_number"] = phone
    return body


async def share_phone(http: aiohttp.ClientSession, base_url: str, user_id: int, message_id: int,
                      phone: str) -> dict[str, Any]:
    status, body = await post_update(http, base_url, update("shared_phone_contact", user_id, message_id, phone))
    assert status == 200, body
    return body


async def contact_of(hub: Hub, body: dict[str, Any]) -> ObjectId:
    message = await hub.db[model.MESSAGES].find_one({"_id": ObjectId(body["message_id"])})
    assert message is not None
    return ObjectId(message["contact_id"])


@pytest.mark.timeout(900)  # some 250 webhook deliveries and undos
async def test_many_customers_sharing_their_phone_each_join_the_contact_known_by_that_number(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    csrf = await login(http2, base_url, "lead@x.test")
    identities: set[tuple[str, str]] = set()
    for n in range(40):
        user_id, phone = 6_100_000 + n, f"+98912{n:07d}"
        identities |= {(TELEGRAM, str(user_id)), (PHONE, phone)}
        if n % 2:  # known from SMS with an open conversation, or only by number
            known = (await arrive(hub, f"sms from {n}", phone, channel="sms", name=f"Customer {n}")).contact
        else:
            known = await contacts.resolve(hub.db, Identity(PHONE, phone), f"Customer {n}", utcnow())
        if n % 3:  # some write on Telegram before sharing their number
            status, body = await post_update(http, base_url, update("text_in_persian_with_emoji_and_zero_width",
                                                                    user_id, 1))
            assert status == 200 and body["result"] == "stored", body
        shared = await share_phone(http, base_url, user_id, 2, phone)
        assert shared["result"] == "stored" and await contact_of(hub, shared) == known["_id"]
        again = await share_phone(http, base_url, user_id, 2, phone)  # Telegram redelivers it
        assert again["result"] == "duplicate" and again["message_id"] == shared["message_id"]
        if n % 4 == 1:  # a lead undoes the join; the customer shares again and joins again
            async with http2.get(f"{base_url}/api/v1/contacts/{known['_id']}") as r:
                merges = [m for m in (await r.json())["merges"] if m["undone_at"] is None]
            async with http2.post(f"{base_url}/api/v1/contact-merges/{merges[0]['id']}/undo",
                                  headers={"X-CSRF-Token": csrf}) as r:
                assert r.status == 200, await r.text()
            rejoined = await share_phone(http, base_url, user_id, 3, phone)
            assert rejoined["result"] == "stored" and await contact_of(hub, rejoined) == known["_id"]
        owner = await contacts.find_by_identity(hub.db, Identity(TELEGRAM, str(user_id)))
        assert owner is not None and owner["_id"] == known["_id"]
    await check_invariants(hub.db, identities)
    assert await hub.db[model.CONTACTS].count_documents({"merged_into": {"$exists": True}}) >= 20


async def test_a_join_that_failed_on_an_earlier_version_succeeds_when_telegram_redelivers_it(
    aiohttp_server: Any, settings: Settings, telegram_api: FakeTelegramApi, http: aiohttp.ClientSession
) -> None:
    # What an earlier version left: the old unique index, and one contact merged away with `identities: []`,
    # so its next merge (this customer's join) answered 500 and Telegram kept redelivering the update.
    client: AsyncMongoClient[Doc] = AsyncMongoClient(settings.mongo_url, tz_aware=True)
    try:
        old = client[settings.db_name][model.CONTACTS]
        await old.create_index([("identities.kind", 1), ("identities.value", 1)], unique=True, name="identity_unique")
        known = await old.insert_one({"name": "Mina Rahimi", "identities": [{"kind": PHONE, "value": "+989121234567"}]})
        await old.insert_one({"name": "Merged long ago", "identities": [], "merged_into": known.inserted_id})
    finally:
        await client.close()
    app = create_app(configure(settings, telegram_settings(telegram_api)))
    server: TestServer = await aiohttp_server(app, host="127.0.0.1")
    hub, base_url = server.app[keys.HUB], str(server.make_url("")).rstrip("/")
    status, body = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert status == 200, body
    for _ in range(2):  # the redelivery, and Telegram's next retry of it
        status, body = await post_update(http, base_url, payload("shared_phone_contact"))
        assert status == 200 and body["result"] in ("stored", "duplicate"), body
        assert await contact_of(hub, body) == known.inserted_id
    joined = await contacts.get(hub.db, known.inserted_id)
    assert joined is not None and {"kind": TELEGRAM, "value": "5550001"} in joined["identities"]
    await check_invariants(hub.db)

