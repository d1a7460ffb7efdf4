"""An email typed into the chat is a claim: it joins nobody and shows nothing until it is proven."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from channels.base import WEBCHAT, Identity
from hub.runtime import Hub
from hub.store import contacts, messages
from tests.integration.webchat.conftest import customer_with_history
from tests.support.agents import Visitor, login, make_user


async def test_claiming_a_customers_email_shows_none_of_their_history_and_joins_nothing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = Visitor(http, base_url)
    ana_id = await customer_with_history(hub, ana, "ana@example.com", "my card ends 4242")

    stranger = Visitor(http2, base_url)
    await stranger.connect()
    await stranger.send({"type": "identify", "name": "Not Ana", "email": "ANA@example.com"})
    identified = await stranger.receive("identified")
    assert identified == {"type": "identified", "name": "Not Ana", "email": "ANA@example.com", "verified": False}
    stranger_ack = await stranger.say("what did I order?", "s-1")
    await stranger.close()

    again = Visitor(http2, base_url)
    welcome = await again.connect(token=stranger.welcome["token"])
    assert [m["text"] for m in welcome["history"]] == ["what did I order?"]
    assert welcome["name"] == "Not Ana" and welcome["verified"] == []
    said = await messages.get(hub.db, ObjectId(stranger_ack["id"]))
    assert said is not None and said["contact_id"] != ana_id
    real = await contacts.get(hub.db, ana_id)
    assert real is not None
    assert sorted(i["kind"] for i in real["identities"]) == ["email", "webchat"]  # nobody joined Ana
    await again.close()
    await ana.close()


async def test_the_answer_to_a_claim_is_the_same_whether_or_not_anyone_holds_the_address(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = Visitor(http, base_url)
    await customer_with_history(hub, ana, "ana@example.com", "hello")
    answers = []
    for email in ("ana@example.com", "nobody-here@example.com"):
        visitor = Visitor(http2, base_url)
        await visitor.connect()
        await visitor.send({"type": "identify", "email": email})
        answer = await visitor.receive("identified")
        answers.append({**answer, "email": None})
        await visitor.close()
    assert answers[0] == answers[1]


async def test_agent_replies_to_the_real_customer_never_reach_the_visitor_who_claimed_their_email(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http:
        await make_user(hub.db, "agent@x.test")
        csrf = await login(agent_http, base_url, "agent@x.test")
        ana = Visitor(http, base_url)
        ana_id = await customer_with_history(hub, ana, "ana@example.com", "where is my parcel?")
        stranger = Visitor(http2, base_url)
        await stranger.connect()
        await stranger.send({"type": "identify", "email": "ana@example.com"})
        await stranger.receive("identified")

        [conversation] = await hub.db["conversations"].find({"contact_id": ana_id}).to_list(None)
        async with agent_http.post(f"{base_url}/api/v1/conversations/{conversation['_id']}/messages",
                                   json={"text": "Your parcel is at door 7, code 1234."},
                                   headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 201, await r.text()
        pushed = await ana.receive("message")
        assert pushed["message"]["text"] == "Your parcel is at door 7, code 1234."
        # The stranger's socket has nothing queued before the answer to its own ping.
        await stranger.send({"type": "ping"})
        assert stranger.ws is not None
        assert (await stranger.ws.receive_json(timeout=10))["type"] == "pong"
        visitor = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, stranger.welcome["visitor_id"]))
        assert visitor is not None and visitor["_id"] != ana_id
        await stranger.close()
        await ana.close()
