"""A host site signs who is signed in (HMAC-SHA256 with the secret from Admin → Website chat)."""

from __future__ import annotations

import hashlib
import hmac
import re

import aiohttp

from channels.base import WEBCHAT, Identity
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import contacts, webchat_sites
from tests.integration.webchat.conftest import customer_with_history
from tests.support.agents import Visitor, login, make_user


def sign(secret: str, identifier: str) -> str:
    return hmac.new(secret.encode(), identifier.encode(), hashlib.sha256).hexdigest()


async def test_an_admin_generates_the_secret_once_and_it_is_stored_sealed(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "admin@x.test", role="admin")
    csrf = await login(http, base_url, "admin@x.test")
    async with http.get(f"{base_url}/admin/webchat") as r:
        page = await r.text()
        assert r.status == 200 and "No secret is set" in page
    async with http.post(f"{base_url}/admin/webchat/secret", data={"_csrf": csrf, "action": "generate"}) as r:
        assert r.status == 200
        shown = re.search(r'<code id="new-secret" dir="ltr">([0-9a-f]{64})</code>', await r.text())
    assert shown
    secret = shown.group(1)
    async with http.get(f"{base_url}/admin/webchat") as r:
        page = await r.text()
    assert secret not in page and "A secret is set" in page
    stored = await hub.db[webchat_sites.WEBCHAT_SITES].find_one({})
    assert stored is not None and secret not in repr(stored)
    assert await webchat_sites.identity_secret(hub.db, hub.settings.ensure_secret_key()) == secret

    async with http.post(f"{base_url}/admin/webchat/secret", data={"_csrf": csrf, "action": "generate"}) as r:
        rotated = re.search(r'<code id="new-secret" dir="ltr">([0-9a-f]{64})</code>', await r.text())
    assert rotated and rotated.group(1) != secret


async def test_an_agent_cannot_see_or_change_the_secret(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "lead@x.test", role="lead")
    csrf = await login(http, base_url, "lead@x.test")
    async with http.get(f"{base_url}/admin/webchat") as r:
        assert r.status == 403
    async with http.post(f"{base_url}/admin/webchat/secret", data={"_csrf": csrf, "action": "generate"}) as r:
        assert r.status == 403
    assert (await webchat_sites.status(hub.db))["secret_set"] is False


async def test_a_wrong_signature_is_refused_and_the_right_one_joins_and_shows_history(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    secret = await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), utcnow())
    ana = Visitor(http, base_url)
    ana_id = await customer_with_history(hub, ana, "ana@example.com", "my order is 7781")
    await ana.close()

    visitor = Visitor(http2, base_url)
    welcome = await visitor.connect()
    assert welcome["history"] == []
    for wrong in (sign("another-secret", "ana@example.com"), sign(secret, "someone@example.com"), "", "zz"):
        await visitor.send({"type": "identify", "identifier": "ana@example.com", "identifier_hash": wrong})
        refused = await visitor.receive("error")
        assert refused["code"] == "bad_signature"
    mine = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, welcome["visitor_id"]))
    assert mine is None or mine["_id"] != ana_id

    await visitor.send({"type": "identify", "identifier": "ana@example.com",
                        "identifier_hash": sign(secret, "ana@example.com").upper()})
    verified = await visitor.receive("verified")
    assert verified["kind"] == "email" and verified["value"] == "ana@example.com"
    fresh = await visitor.receive("welcome")
    assert [m["text"] for m in fresh["history"]] == ["my order is 7781"]
    assert fresh["visitor_id"] == welcome["visitor_id"]
    joined = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, welcome["visitor_id"]))
    assert joined is not None and joined["_id"] == ana_id
    await visitor.close()


async def test_signed_identities_are_refused_while_no_secret_is_set(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http, base_url)
    await visitor.connect()
    await visitor.send({"type": "identify", "identifier": "u-1", "identifier_hash": sign("", "u-1")})
    assert (await visitor.receive("error"))["code"] == "not_configured"


async def test_a_site_user_id_with_no_contact_yet_becomes_this_visitors_identity(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    secret = await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), utcnow())
    laptop = Visitor(http, base_url)
    await laptop.connect()
    await laptop.send({"type": "identify", "identifier": "user-981", "identifier_hash": sign(secret, "user-981"),
                       "name": "Reza"})
    await laptop.receive("verified")
    await laptop.receive("welcome")
    await laptop.say("from the laptop", "l-1")
    await laptop.close()

    phone = Visitor(http2, base_url)
    await phone.connect()
    await phone.send({"type": "identify", "identifier": "user-981", "identifier_hash": sign(secret, "user-981")})
    await phone.receive("verified")
    fresh = await phone.receive("welcome")
    assert fresh["name"] == "Reza"
    assert [m["text"] for m in fresh["history"]] == ["from the laptop"]
    assert fresh["verified"] == [{"kind": "site_user", "value": "user-981"}]
    await phone.close()


async def test_another_person_signing_in_on_the_same_browser_gets_a_new_visitor_not_a_merge(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    secret = await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), utcnow())
    browser = Visitor(http, base_url)
    first = await browser.connect()
    await browser.send({"type": "identify", "identifier": "ana@example.com",
                        "identifier_hash": sign(secret, "ana@example.com")})
    await browser.receive("verified")
    await browser.receive("welcome")
    await browser.say("Ana's private question", "a-1")

    await browser.send({"type": "identify", "identifier": "bob@example.com",
                        "identifier_hash": sign(secret, "bob@example.com")})
    await browser.receive("verified")
    bob_welcome = await browser.receive("welcome")
    assert bob_welcome["visitor_id"] != first["visitor_id"] and bob_welcome["token"] != first["token"]
    assert bob_welcome["history"] == []
    ana = await contacts.find_by_identity(hub.db, Identity("email", "ana@example.com"))
    bob = await contacts.find_by_identity(hub.db, Identity("email", "bob@example.com"))
    assert ana is not None and bob is not None and ana["_id"] != bob["_id"]
    assert ana.get("merged_into") is None
    await browser.close()
