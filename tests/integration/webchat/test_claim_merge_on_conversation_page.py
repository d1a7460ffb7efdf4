"""Agents see what a visitor said but did not prove; a lead merges (or vouches) with one click."""

from __future__ import annotations

import re

import aiohttp

from channels.base import EMAIL, WEBCHAT, Identity
from hub.runtime import Hub
from hub.store import contacts
from tests.integration.webchat.conftest import customer_with_history
from tests.support.agents import Visitor, login, make_user


async def visitor_conversation(hub: Hub, visitor: Visitor) -> str:
    contact = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, visitor.welcome["visitor_id"]))
    assert contact is not None
    [conversation] = await hub.db["conversations"].find({"contact_id": contact["_id"]}).to_list(None)
    return str(conversation["_id"])


async def claiming_visitor(hub: Hub, session: aiohttp.ClientSession, base_url: str, email: str) -> Visitor:
    visitor = Visitor(session, base_url)
    await visitor.connect()
    await visitor.say("it's me, I lost my password", "c-1")
    await visitor.send({"type": "identify", "email": email})
    await visitor.receive("identified")
    return visitor


async def test_an_agent_sees_the_unverified_claim_but_no_merge_button(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = await claiming_visitor(hub, http2, base_url, "ana@example.com")
    conversation_id = await visitor_conversation(hub, visitor)
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        page = await r.text()
    assert re.search(r'Says they are <bdi dir="auto">ana@example.com</bdi> <span class="badge unverified">unverified',
                     page)
    assert 'data-action="merge-claim"' not in page and 'data-action="verify-claim"' not in page
    async with http.post(f"{base_url}/inbox/c/{conversation_id}/claims",
                         data={"_csrf": csrf, "kind": EMAIL, "value": "ana@example.com"}) as r:
        assert r.status == 403
    await visitor.close()


async def test_a_lead_merges_the_visitor_into_the_claimed_customer_with_one_click(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = Visitor(http2, base_url)
    ana_id = await customer_with_history(hub, ana, "ana@example.com", "first order")
    await contacts.set_name(hub.db, ana_id, "Ana Real")
    await ana.close()
    visitor = await claiming_visitor(hub, http2, base_url, "ana@example.com")
    conversation_id = await visitor_conversation(hub, visitor)
    await visitor.close()

    await make_user(hub.db, "lead@x.test", role="lead", name="Lena Lead")
    csrf = await login(http, base_url, "lead@x.test")
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        page = await r.text()
    assert 'data-action="merge-claim">Merge into <bdi dir="auto">Ana Real</bdi>' in page
    async with http.post(f"{base_url}/inbox/c/{conversation_id}/claims", allow_redirects=False,
                         data={"_csrf": csrf, "kind": EMAIL, "value": "ana@example.com"}) as r:
        assert r.status == 303 and r.headers["Location"] == f"/inbox/c/{conversation_id}"

    joined = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, visitor.welcome["visitor_id"]))
    assert joined is not None and joined["_id"] == ana_id
    event = await hub.db["messages"].find_one({"data.type": "claim_merged"})
    assert event is not None
    assert event["text"] == "Lena Lead merged this customer into Ana Real: they said they are ana@example.com."
    # Now proven by the lead, so the visitor's next welcome shows Ana's history.
    again = Visitor(http2, base_url)
    welcome = await again.connect(token=visitor.welcome["token"])
    assert "first order" in [m["text"] for m in welcome["history"]]
    await again.close()
    async with http.post(f"{base_url}/inbox/c/{conversation_id}/claims",  # the claim is used up
                         data={"_csrf": csrf, "kind": EMAIL, "value": "ana@example.com"}) as r:
        assert r.status == 409


async def test_a_claim_nobody_holds_is_attached_as_verified_by_the_lead(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = await claiming_visitor(hub, http2, base_url, "new@example.com")
    conversation_id = await visitor_conversation(hub, visitor)
    await visitor.close()
    await make_user(hub.db, "admin@x.test", role="admin", name="Ada Admin")
    csrf = await login(http, base_url, "admin@x.test")
    async with http.get(f"{base_url}/inbox/c/{conversation_id}") as r:
        assert 'data-action="verify-claim">Mark as verified' in await r.text()
    async with http.post(f"{base_url}/inbox/c/{conversation_id}/claims",
                         data={"_csrf": csrf, "kind": EMAIL, "value": "new@example.com"}) as r:
        assert r.status == 200  # followed the redirect back to the page
        page = await r.text()
    assert "unverified" not in page and "new@example.com" in page
    contact = await contacts.find_by_identity(hub.db, Identity(EMAIL, "new@example.com"))
    assert contact is not None and contact.get("claims") == []
    event = await hub.db["messages"].find_one({"data.type": "claim_verified"})
    assert event is not None and event["text"] == "Ada Admin verified that this customer is new@example.com."
