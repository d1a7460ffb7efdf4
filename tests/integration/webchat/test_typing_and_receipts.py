"""Typing, both ways, and read receipts, both ways, between a visitor's socket and an agent: live, never stored
as messages, and the receipts still shown after a reconnect."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import aiohttp
from bson import ObjectId

from hub.clock import utcnow
from hub.live.events import Event
from hub.runtime import Hub
from hub.store import viewers
from hub.store.documents import Conversation
from hub.webchat_live import TYPING_SECONDS, TYPING_WRITE_SECONDS, LiveState
from tests.support.agents import Visitor, login, make_user, next_event, sse_events


async def agent_opens_stream(http: aiohttp.ClientSession, base_url: str) -> aiohttp.ClientResponse:
    return await http.get(f"{base_url}/inbox/events", timeout=aiohttp.ClientTimeout(total=None, sock_read=30))


async def test_a_visitor_typing_reaches_the_agents_stream_and_is_not_a_message(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    ack = await visitor.say("hello", "t-1")
    stored = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert stored is not None
    conversation_id = str(stored["conversation_id"])
    async with await agent_opens_stream(http, base_url) as stream:
        events = sse_events(stream)
        await next_event(events, "ready", {})
        await visitor.send({"type": "typing"})
        typing = await next_event(events, "conversation_viewers", {"conversation_id": conversation_id})
        assert typing["visitor"] is True and typing["user_id"] is None
        assert typing["typing_until"] == typing["expires_at"]  # a visitor is only ever typing, never "viewing"
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 1
    await visitor.say("still works", "t-2")  # typing frames never count against the visitor's message rate


async def test_visitor_typing_is_written_at_most_once_in_a_few_seconds_and_expires(hub: Hub) -> None:
    contact = await hub.db["contacts"].insert_one({"name": "Mina", "identities": [{"kind": "webchat", "value": "v1"}]})
    conversation = await hub.db["conversations"].insert_one({"contact_id": contact.inserted_id, "status": "open"})
    live = LiveState(hub, "v1")
    live.learn(contact.inserted_id, conversation.inserted_id)
    start = utcnow()
    await live.visitor_typing(start)
    await live.visitor_typing(start + timedelta(seconds=TYPING_WRITE_SECONDS / 2))  # throttled: no write
    [record] = await viewers.current(hub.db, conversation.inserted_id, start)
    assert record["name"] == "Mina" and record["updated_at"] == start
    assert record["typing_until"] == start + timedelta(seconds=TYPING_SECONDS)
    assert await viewers.current(hub.db, conversation.inserted_id, start + timedelta(seconds=TYPING_SECONDS)) == []
    later = start + timedelta(seconds=TYPING_WRITE_SECONDS + 0.1)
    await live.visitor_typing(later)
    [record] = await viewers.current(hub.db, conversation.inserted_id, later)
    assert record["updated_at"] == later


async def test_an_agent_typing_reaches_the_visitor_by_name_and_stopping_is_said_too(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    csrf = await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    ack = await visitor.say("anyone there?", "t-1")
    stored = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert stored is not None
    presence = f"{base_url}/api/v1/conversations/{stored['conversation_id']}/presence"
    async with http.post(presence, data={"typing": "1"}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 200, await r.text()
    typing = await visitor.receive("typing")
    assert typing["name"] == "Sina Support" and 0 < typing["seconds"] <= TYPING_SECONDS
    async with http.post(presence, data={"left": "1"}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 200
    assert (await visitor.receive("typing"))["seconds"] == 0


async def test_an_agent_opening_the_conversation_marks_the_visitors_messages_read_live_and_after_a_reconnect(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    welcome = await visitor.connect()
    await visitor.say("first", "r-1")
    second = await visitor.say("second", "r-2")
    stored = await hub.db["messages"].find_one({"_id": ObjectId(second["id"])})
    assert stored is not None
    assert all(item.get("read") is not True for item in (await Visitor(http2, base_url).connect(
        token=welcome["token"]))["history"])  # nobody has looked yet
    async with http.get(f"{base_url}/inbox/c/{stored['conversation_id']}") as r:
        assert r.status == 200
    assert (await visitor.receive("read"))["id"] == second["id"]  # the newest: the widget ticks it and all before
    again = await Visitor(http2, base_url).connect(token=welcome["token"])
    assert [(m["text"], m["read"]) for m in again["history"]] == [("first", False), ("second", True)]


async def test_replies_the_visitor_has_seen_are_read_for_the_agent(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    ack = await visitor.say("question", "s-1")
    stored = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert stored is not None
    replies = f"{base_url}/api/v1/conversations/{stored['conversation_id']}/messages"
    for text in ("one", "two"):
        async with http.post(replies, json={"text": text}, headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 201, await r.text()
    pushed = [(await visitor.receive("message"))["message"] for _ in range(2)]
    await visitor.send({"type": "seen", "id": pushed[0]["id"]})
    await visitor.send({"type": "ping"})
    await visitor.receive("pong")  # frames are handled in order: the receipt is written by now
    statuses = {m["text"]: m["status"] async for m in hub.db["messages"].find({"direction": "out"})}
    assert statuses["one"] == "read" and statuses["two"] != "read"
    await visitor.send({"type": "seen", "id": "not an id"})  # a receipt that names nothing changes nothing
    await visitor.send({"type": "seen", "id": ack["id"]})  # nor one naming the visitor's own message
    await visitor.send({"type": "seen", "id": pushed[1]["id"]})
    await visitor.send({"type": "ping"})
    await visitor.receive("pong")
    statuses = {m["text"]: m["status"] async for m in hub.db["messages"].find({"direction": "out"})}
    assert statuses == {"one": "read", "two": "read"}


def viewer_event(doc: dict[str, object], contact_id: ObjectId) -> Event:
    conversation = cast(Conversation, {"_id": doc["conversation_id"], "contact_id": contact_id})
    return Event("conversation_viewers", "update", doc, conversation, "")


async def test_an_agents_viewing_heartbeat_does_not_repeat_their_typing_and_other_visitors_hear_nothing(
    hub: Hub
) -> None:
    contact_id, conversation_id, user_id = ObjectId(), ObjectId(), ObjectId()
    live = LiveState(hub, "v1")
    live.learn(contact_id, conversation_id)
    now = utcnow()
    typing = {"conversation_id": conversation_id, "user_id": user_id, "name": "Sina",
              "expires_at": now + timedelta(seconds=45), "typing_until": now + timedelta(seconds=6)}
    assert live.wants(viewer_event(typing, contact_id))
    assert not live.wants(viewer_event(typing, ObjectId()))  # someone else's conversation
    assert not live.wants(viewer_event({**typing, "visitor": True}, contact_id))  # the visitor's own typing
    assert live.frame(viewer_event(typing, contact_id), now) == {"type": "typing", "name": "Sina", "seconds": 6.0}
    heartbeat = {**typing, "expires_at": now + timedelta(seconds=60)}
    assert live.frame(viewer_event(heartbeat, contact_id), now + timedelta(seconds=1)) is None
    assert live.frame(viewer_event(heartbeat, contact_id), now + timedelta(seconds=7)) == {
        "type": "typing", "name": "Sina", "seconds": 0}  # typing ran out: told once that it stopped
    assert live.frame(viewer_event(heartbeat, contact_id), now + timedelta(seconds=8)) is None


async def test_a_visitors_message_from_one_tab_shows_in_their_other_open_tab_and_not_twice_in_the_first(
    hub: Hub, base_url: str, http2: aiohttp.ClientSession
) -> None:
    first = Visitor(http2, base_url)
    welcome = await first.connect()
    second = Visitor(http2, base_url)
    await second.connect(welcome["token"])  # the same visitor, a second tab
    stranger = Visitor(http2, base_url)
    await stranger.connect()
    ack = await first.say("sent from the first tab", "tab-1")
    shown = (await second.receive("message"))["message"]
    assert shown["id"] == ack["id"] and shown["direction"] == "in" and shown["client_id"] == "tab-1"
    assert shown["text"] == "sent from the first tab"
    await stranger.say("the stranger's words", "s-1")  # must not be the first tab's next frame (below)
    again = await second.say("and now from the second", "tab-2")
    back = (await first.receive("message"))["message"]
    assert back["id"] == again["id"]  # the first tab's next frame is the second tab's message, not its own
    await first.close()
    await second.close()
    await stranger.close()
