"""Unread, per agent: bold rows and counts for what the agent has not seen since the customer last wrote."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

import aiohttp
from bson import ObjectId

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import read_marks
from tests.integration.conversation.helpers import Agent, agent
from tests.integration.inbox.helpers import arrive, department, place


async def _two_waiting(hub: Hub) -> tuple[ObjectId, str, str]:
    """Two unassigned Support conversations, each with one customer message."""
    support = await department(hub, "Support")
    ids = []
    for who in ("v-ana", "v-bo"):
        result = await arrive(hub, f"hello from {who}", who)
        await place(hub, result.conversation["_id"], department_id=support, assignee_id=None)
        ids.append(str(result.conversation["_id"]))
    return support, ids[0], ids[1]


async def _listed(person: Agent, view: str = "unassigned") -> tuple[dict[str, bool], dict[str, int]]:
    status, body = await person.get(f"/api/v1/conversations?view={view}&counts=1")
    assert status == 200, body
    return {c["id"]: c["unread"] for c in body["conversations"]}, body["unread_counts"]


async def test_opening_a_conversation_reads_it_for_that_agent_only(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    support, first, second = await _two_waiting(hub)
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    bo = await agent(hub, http2, base_url, "bo@x.test", "Bo")
    rows, counts = await _listed(ana)
    assert rows == {first: True, second: True} and counts["unassigned"] == 2 and counts[f"dept:{support}"] == 2

    await ana.page(f"/inbox/c/{first}")
    rows, counts = await _listed(ana)
    assert rows == {first: False, second: True}
    assert counts["unassigned"] == 1 and counts[f"dept:{support}"] == 1 and counts["mine"] == 0
    # Bo has opened nothing: everything is still unread for him.
    rows, counts = await _listed(bo)
    assert rows == {first: True, second: True} and counts["unassigned"] == 2

    # The inbox page: the unread row is bold and says so; the read one does not; the tab shows 1 unread.
    page = await ana.page("/inbox?view=unassigned")
    unread_row = re.search(rf'<li class="([^"]*)" data-conversation="{second}"[^>]*>', page)
    read_row = re.search(rf'<li class="([^"]*)" data-conversation="{first}"[^>]*>', page)
    assert unread_row and "unread" in unread_row.group(1).split() and "data-unread" in unread_row.group(0)
    assert read_row and "unread" not in read_row.group(0)
    tab = re.search(r'data-unread-count="unassigned"[^>]*>(\d+)<span class="visually-hidden"> unread', page)
    assert tab and tab.group(1) == "1"
    # A live refresh of the list brings the same counts to swap into the tabs.
    fragment = await ana.page("/inbox/list?view=unassigned")
    assert re.search(r'data-unread-count="unassigned" data-swap-oob>1<', fragment)
    # Search results carry it too.
    status, found = await ana.get("/api/v1/search?q=hello")
    assert status == 200
    assert {c["id"]: c["unread"] for c in found["conversations"]} == {first: False, second: True}


async def test_a_new_customer_message_makes_it_unread_again_but_an_agents_own_reply_does_not(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    _, first, _ = await _two_waiting(hub)
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    await ana.page(f"/inbox/c/{first}")

    status, body = await ana.post(f"/api/v1/conversations/{first}/reply", {"text": "On its way", "client_key": "r1"})
    assert status == 201, body
    assert (await _listed(ana))[0][first] is False

    again = await arrive(hub, "where is it now?", "v-ana")
    assert str(again.conversation["_id"]) == first
    assert (await _listed(ana))[0][first] is True

    # The page had it open when it arrived: it says so, and the row is read again.
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {"message_id": str(again.message["_id"])})
    assert status == 200 and body["unread"] is False
    assert (await _listed(ana))[0][first] is False


async def test_a_mark_never_moves_back_and_names_only_this_conversations_messages(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    _, first, second = await _two_waiting(hub)
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    older = await hub.db[model.MESSAGES].find_one({"conversation_id": ObjectId(first)})
    assert older is not None
    newer = await arrive(hub, "one more thing", "v-ana")

    # Read up to the older message only: the newer one keeps the conversation unread.
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {"message_id": str(older["_id"])})
    assert status == 200 and body["unread"] is True
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {})
    assert status == 200 and body["unread"] is False
    # A late request from a page that had seen less changes nothing.
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {"message_id": str(older["_id"])})
    assert status == 200 and body["unread"] is False
    assert newer.message["conversation_id"] == ObjectId(first)

    other = await hub.db[model.MESSAGES].find_one({"conversation_id": ObjectId(second)})
    assert other is not None
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {"message_id": str(other["_id"])})
    assert status == 400 and body["error"] == "'message_id' must be the id of a message in this conversation"
    status, body = await ana.post(f"/api/v1/conversations/{first}/read", {"message_id": "not-an-id"})
    assert status == 400 and "message_id" in body["error"]
    status, body = await ana.post(f"/api/v1/conversations/{ObjectId()}/read", {})
    assert status == 404


async def test_concurrent_marks_keep_the_newest_moment(hub: Hub) -> None:
    user_id, conversation_id = ObjectId(), ObjectId()
    start = utcnow().replace(microsecond=0)
    moments = [start + timedelta(seconds=s) for s in (3, 1, 4, 1, 5, 2, 6, 0)]
    moved = await asyncio.gather(*(read_marks.mark_seen(hub.db, user_id, conversation_id, at, None, utcnow())
                                   for at in moments))
    assert any(moved)
    marks = await read_marks.marks_for(hub.db, user_id, [conversation_id])
    assert marks == {conversation_id: start + timedelta(seconds=6)}
    assert await read_marks.mark_seen(hub.db, user_id, conversation_id, start, None, utcnow()) is False
    assert await hub.db[model.READ_MARKS].count_documents({"user_id": user_id}) == 1


async def test_the_mentions_view_counts_unread_among_the_notes_that_name_the_agent(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    _, first, second = await _two_waiting(hub)
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    for cid in (first, second):
        note: dict[str, Any] = {"conversation_id": ObjectId(cid), "direction": model.NOTE, "kind": "message",
                                "text": "@Ana look", "mentions": [ana.user["_id"]], "created_at": utcnow()}
        await hub.db[model.MESSAGES].insert_one(note)
    assert (await _listed(ana, "mentions"))[1]["mentions"] == 2
    await ana.page(f"/inbox/c/{second}")
    rows, counts = await _listed(ana, "mentions")
    assert rows == {first: True, second: False} and counts["mentions"] == 1
