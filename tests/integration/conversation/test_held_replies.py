"""Collision: a reply is held when the customer or another agent wrote after the agent's page loaded."""

from __future__ import annotations

import aiohttp

from hub import names as model
from hub.runtime import Hub
from tests.integration.conversation.helpers import agent, customer_writes, last_seen_on_page


async def queued_replies(hub: Hub) -> list[str]:
    return [m["text"] async for m in hub.db[model.MESSAGES].find({"direction": "out"})]


async def test_reply_is_held_when_the_customer_wrote_after_the_page_loaded_and_sends_anyway_on_request(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    conversation = await customer_writes(hub, "where is my order?", "h-1")
    cid = str(conversation["_id"])
    seen = last_seen_on_page(await ana.page(f"/inbox/c/{cid}"))
    await customer_writes(hub, "never mind, it arrived", "h-2")

    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply",
                                  {"text": "It ships today", "last_seen_id": seen, "client_key": "k1"})
    assert status == 409
    assert body["held"] is True
    assert "the customer wrote again since you loaded this conversation" in body["error"]
    assert [m["text"] for m in body["newer"]] == ["never mind, it arrived"]
    assert await queued_replies(hub) == []

    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply",
                                  {"text": "It ships today", "last_seen_id": seen, "client_key": "k1", "force": "1"})
    assert status == 201
    assert await queued_replies(hub) == ["It ships today"]


async def test_reply_is_held_when_another_agent_replied_first_but_not_for_the_agents_own_reply(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    bo = await agent(hub, http2, base_url, "bo@x.test", "Bo")
    conversation = await customer_writes(hub, "hello?", "h-3")
    cid = str(conversation["_id"])
    seen = last_seen_on_page(await ana.page(f"/inbox/c/{cid}"))

    status, _ = await ana.post(f"/api/v1/conversations/{cid}/reply", {"text": "Hi!", "last_seen_id": seen})
    assert status == 201  # one's own earlier reply never holds the next one
    status, _ = await ana.post(f"/api/v1/conversations/{cid}/reply", {"text": "How can I help?", "last_seen_id": seen})
    assert status == 201

    status, _ = await bo.post(f"/api/v1/conversations/{cid}/reply", {"text": "Bo here, I'll take it"})
    assert status == 201
    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply",
                                  {"text": "Anything else?", "last_seen_id": seen})
    assert status == 409
    assert "Bo replied" in body["error"]
    # A private note is not a reply to the customer: never held.
    status, _ = await ana.post(f"/api/v1/conversations/{cid}/reply",
                               {"text": "Bo is on it", "note": True, "last_seen_id": seen})
    assert status == 201


async def test_double_submit_with_one_client_key_makes_one_reply(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = str((await customer_writes(hub, "hi", "h-4"))["_id"])
    first = await ana.post(f"/api/v1/conversations/{cid}/reply", {"text": "Hello", "client_key": "same"})
    second = await ana.post(f"/api/v1/conversations/{cid}/reply", {"text": "Hello", "client_key": "same"})
    assert (first[0], second[0]) == (201, 200)
    assert first[1]["message"]["id"] == second[1]["message"]["id"]
    assert await queued_replies(hub) == ["Hello"]


async def test_a_last_seen_id_from_another_conversation_is_refused_readably(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    one = await customer_writes(hub, "one", "h-5", visitor="v-a")
    other = await customer_writes(hub, "other", "h-6", visitor="v-b")
    foreign = await hub.db[model.MESSAGES].find_one({"conversation_id": other["_id"], "direction": "in"})
    assert foreign is not None
    status, body = await ana.post(f"/api/v1/conversations/{one['_id']}/reply",
                                  {"text": "x", "last_seen_id": str(foreign["_id"])})
    assert status == 400
    assert "last_seen_id is not a message of this conversation" in body["error"]
    status, body = await ana.post(f"/api/v1/conversations/{one['_id']}/reply", {"text": "x", "last_seen_id": "nope"})
    assert status == 400 and "must be a message id" in body["error"]
    assert await queued_replies(hub) == []
