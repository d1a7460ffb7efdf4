"""New conversations reach the right agent through the real server, within capacity, with the reason shown."""

from __future__ import annotations

import asyncio

import aiohttp
from bson import ObjectId

from hub.runtime import Hub
from hub.store import agents
from tests.integration.routing.support import agent, api, conversation, timeline_texts, token_for, writes
from tests.support.agents import Visitor, login, make_user, next_event, sse_events


async def test_persian_message_goes_to_the_agent_who_speaks_persian_and_the_api_says_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await agent(hub, "english@x.test", languages=["en"], connected=False, name="Emma English")
    persian = await agent(hub, "persian@x.test", languages=["fa", "en"], connected=False, name="Parisa Persian")
    lead = await make_user(hub.db, "lead@x.test", role="lead")
    await login(http, base_url, "english@x.test")
    await login(http2, base_url, "persian@x.test")
    async with http.get(f"{base_url}/inbox/events") as english_sse, http2.get(f"{base_url}/inbox/events") as fa_sse:
        english_stream, persian_stream = sse_events(english_sse), sse_events(fa_sse)
        await next_event(english_stream, "ready", {})
        await next_event(persian_stream, "ready", {})
        async with aiohttp.ClientSession() as browser:
            visitor = Visitor(browser, base_url)
            await visitor.connect()
            ack = await visitor.say("سلام، لطفاً پیگیری سفارش من را انجام دهید", "fa-1")
            seen = await next_event(persian_stream, "messages", {"id": ack["id"]})
            await visitor.close()

    status, body = await api(http, "GET", f"{base_url}/api/v1/conversations/{seen['conversation_id']}",
                             await token_for(hub, lead))
    assert status == 200
    assert body["assignee_id"] == str(persian["_id"])
    explanation = body["routing"]["explanation"]
    assert body["routing"]["required_language"] == "fa"
    assert explanation["agent"]["name"] == "Parisa Persian"
    assert {"id": str((await agent_by_email(hub, "english@x.test"))["_id"]), "name": "Emma English",
            "reason": "lacks language fa"} in explanation["filtered_out"]
    assert explanation["rules_version"] == "none"
    texts = await timeline_texts(hub, ObjectId(seen["conversation_id"]))
    assert texts[1] == explanation["summary"] and "Assigned to Parisa Persian" in texts[1]
    stored = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert stored is not None and stored["language"] == "fa"


async def agent_by_email(hub: Hub, email: str) -> dict[str, object]:
    from hub.store import users

    found = await users.user_by_email(hub.db, email)
    assert found is not None
    return found


async def test_two_simultaneous_new_conversations_never_push_an_agent_over_capacity(hub: Hub) -> None:
    only = await agent(hub, "solo@x.test", capacity=1)
    first, second = await asyncio.gather(writes(hub, "hello from one", "v-one"), writes(hub, "hello from two", "v-two"))
    assignees = [(await conversation(hub, r.conversation["_id"]))["assignee_id"] for r in (first, second)]
    assert sorted(map(str, assignees)) == sorted([str(only["_id"]), "None"])
    queued = first if assignees[0] is None else second
    queued_doc = await conversation(hub, queued.conversation["_id"])
    assert queued_doc["department_id"] is not None
    assert "Queued" in queued_doc["routing"]["explanation"]["summary"]
    reloaded = await agents.get(hub.db, only["_id"])
    assert reloaded is not None and reloaded["open_count"] == 1


async def test_resolving_frees_capacity_and_the_longest_waiting_conversation_is_assigned_first(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    solo = await agent(hub, "solo@x.test", capacity=1)
    headers = await token_for(hub, solo)
    busy = await writes(hub, "first customer", "v-1")
    waited_longest = await writes(hub, "second customer", "v-2")
    later = await writes(hub, "third customer", "v-3")
    assert (await conversation(hub, busy.conversation["_id"]))["assignee_id"] == solo["_id"]
    for queued in (waited_longest, later):
        assert (await conversation(hub, queued.conversation["_id"]))["assignee_id"] is None

    status, _ = await api(http, "POST", f"{base_url}/api/v1/conversations/{busy.conversation['_id']}/status",
                          headers, json={"status": "resolved"})
    assert status == 200
    assert (await conversation(hub, waited_longest.conversation["_id"]))["assignee_id"] == solo["_id"]
    assert (await conversation(hub, later.conversation["_id"]))["assignee_id"] is None
    texts = await timeline_texts(hub, waited_longest.conversation["_id"])
    assert any("capacity freed up" in text and "longest waiting" in text for text in texts)
    reloaded = await agents.get(hub.db, solo["_id"])
    assert reloaded is not None and reloaded["open_count"] == 1


async def test_agent_who_comes_back_online_takes_the_waiting_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    away = await agent(hub, "away@x.test", status="away")
    waiting = await writes(hub, "anyone there?", "v-1")
    queued = await conversation(hub, waiting.conversation["_id"])
    assert queued["assignee_id"] is None
    assert {"id": str(away["_id"]), "name": away["name"], "reason": "away"} in queued["routing"]["explanation"][
        "filtered_out"]
    status, body = await api(http, "POST", f"{base_url}/api/v1/me/status", await token_for(hub, away),
                             json={"status": "online"})
    assert status == 200 and body["assigned"] == [str(waiting.conversation["_id"])]
    assert (await conversation(hub, waiting.conversation["_id"]))["assignee_id"] == away["_id"]


async def test_opening_the_inbox_stream_connects_the_agent_and_offers_the_queue(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    newcomer = await agent(hub, "late@x.test", connected=False)
    waiting = await writes(hub, "hello?", "v-1")
    assert (await conversation(hub, waiting.conversation["_id"]))["assignee_id"] is None
    await login(http, base_url, "late@x.test")
    async with http.get(f"{base_url}/inbox/events") as response:
        stream = sse_events(response)
        await next_event(stream, "ready", {})
        assigned = await next_event(stream, "conversations", {"id": str(waiting.conversation["_id"]),
                                                              "assignee_id": str(newcomer["_id"])})
        assert assigned["department_id"] is not None
        assigned_at = (await conversation(hub, waiting.conversation["_id"]))["updated_at"]
        assert (await agents.get(hub.db, newcomer["_id"]) or {})["connected_until"] > assigned_at
