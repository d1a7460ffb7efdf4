"""Inbox views: who sees what in Mine, Unassigned, departments, All and Mentions; filters, sorts, counts, pages."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
from bson import ObjectId

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import inbox_views, messages
from tests.integration.inbox.helpers import arrive, department, minutes_ago, place
from tests.support.agents import login, make_user


async def _inbox(hub: Hub) -> dict[str, Any]:
    """Support and Sales conversations, assigned and not, on different channels with labels."""
    support, sales = await department(hub, "Support"), await department(hub, "Sales")
    ana = await make_user(hub.db, "ana@x.test", departments=("Support",), name="Ana")
    bo = await make_user(hub.db, "bo@x.test", departments=("Sales",), name="Bo")
    await make_user(hub.db, "lead@x.test", role="lead", departments=(), name="Lee")
    made = {}
    rows = [("s-mine", support, ana["_id"], "webchat", ["refund"], "high", 50),
            ("s-free", support, None, "sms", [], "normal", 40),
            ("s-free2", support, None, "webchat", ["refund"], "normal", 30),
            ("b-mine", sales, bo["_id"], "email", [], "urgent", 20),
            ("b-free", sales, None, "webchat", [], "normal", 10)]
    # The newest activity has waited longest, so the two sorts give opposite orders.
    for key, dept, assignee, channel, labels, priority, age in rows:
        who = {"webchat": f"v-{key}", "sms": "+15550001111", "email": f"{key}@example.com"}[channel]
        result = await arrive(hub, f"hello {key}", who, channel=channel)
        await place(hub, result.conversation["_id"], department_id=dept, assignee_id=assignee, labels=labels,
                    priority=priority, last_message_at=minutes_ago(age), waiting_since=minutes_ago(100 - age),
                    channels=[channel])
        made[key] = str(result.conversation["_id"])
    return {"support": support, "sales": sales, "ana": ana, "bo": bo, **made}


async def _ids(http: aiohttp.ClientSession, url: str) -> list[str]:
    async with http.get(url) as r:
        assert r.status == 200, await r.text()
        return [c["id"] for c in (await r.json())["conversations"]]


async def test_agent_views_hold_only_their_departments_and_assignments(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "ana@x.test")
    api = f"{base_url}/api/v1/conversations"
    assert await _ids(http, f"{api}?view=mine") == [box["s-mine"]]
    assert await _ids(http, f"{api}?view=unassigned") == [box["s-free2"], box["s-free"]]
    assert set(await _ids(http, f"{api}?view=dept:{box['support']}")) == {box["s-mine"], box["s-free"],
                                                                          box["s-free2"]}
    async with http.get(f"{api}?view=dept:{box['sales']}") as r:
        assert r.status == 403
        assert (await r.json())["error"] == "you are not in that department"
    async with http.get(f"{api}?view=everything") as r:
        assert r.status == 400
        assert "unknown view" in (await r.json())["error"]


async def test_lead_sees_all_and_counts_come_per_view(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "lead@x.test")
    async with http.get(f"{base_url}/api/v1/conversations?view=all&counts=1") as r:
        body = await r.json()
    assert len(body["conversations"]) == 5
    assert body["counts"]["all"] == 5
    assert body["counts"]["unassigned"] == 3
    assert body["counts"]["mine"] == 0 and body["counts"]["mentions"] == 0
    async with http.get(f"{base_url}/inbox") as r:
        page = await r.text()
    assert re.search(r'data-count="all">5<', page) and re.search(r'data-count="unassigned">3<', page)
    assert box["b-free"] in page


async def test_filters_by_channel_label_assignee_priority_and_status(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "lead@x.test")
    api = f"{base_url}/api/v1/conversations?view=all"
    assert await _ids(http, f"{api}&channel=sms") == [box["s-free"]]
    assert set(await _ids(http, f"{api}&label=refund")) == {box["s-mine"], box["s-free2"]}
    assert await _ids(http, f"{api}&assignee={box['bo']['_id']}") == [box["b-mine"]]
    assert await _ids(http, f"{api}&priority=urgent") == [box["b-mine"]]
    assert await _ids(http, f"{api}&status=resolved") == []
    assert len(await _ids(http, f"{api}&assignee=none")) == 3
    for bad, reason in (("channel=fax", "unknown channel"), ("priority=meh", "unknown priority"),
                        ("status=gone", "unknown status"), ("sort=random", "sort must be"),
                        ("assignee=nobody-at-all", "assignee must be")):
        async with http.get(f"{api}&{bad}") as r:
            assert r.status == 400
            assert reason in (await r.json())["error"]


async def test_keyset_pages_cover_every_conversation_once_in_both_sorts(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "lead@x.test")
    for sort, expected in (("recent", ["b-free", "b-mine", "s-free2", "s-free", "s-mine"]),
                           ("waiting", ["b-free", "b-mine", "s-free2", "s-free", "s-mine"])):
        seen: list[str] = []
        url: str | None = f"{base_url}/api/v1/conversations?view=all&limit=2&sort={sort}"
        while url:
            async with http.get(url) as r:
                body = await r.json()
            seen += [c["id"] for c in body["conversations"]]
            url = (f"{base_url}/api/v1/conversations?view=all&limit=2&sort={sort}&before={body['next']}"
                   if body["next"] else None)
        assert seen == [box[k] for k in expected], sort
    async with http.get(f"{base_url}/api/v1/conversations?before=yesterday") as r:
        assert r.status == 400
        assert "cursor" in (await r.json())["error"]


async def test_filtered_pages_of_one_still_reach_every_match(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "lead@x.test")
    seen: list[str] = []
    url: str | None = f"{base_url}/api/v1/conversations?view=all&label=refund&limit=1"
    while url:
        async with http.get(url) as r:
            body = await r.json()
        seen += [c["id"] for c in body["conversations"]]
        url = f"{base_url}/api/v1/conversations?view=all&label=refund&limit=1&before={body['next']}" \
            if body["next"] else None
    assert seen == [box["s-free2"], box["s-mine"]]


async def test_the_page_shows_an_older_link_that_continues_where_the_first_page_ended(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    await login(http, base_url, "lead@x.test")
    async with http.get(f"{base_url}/inbox?view=all&limit=3") as r:
        first = await r.text()
    older = re.search(r'href="([^"]+)" rel="next" data-older', first)
    assert older, "no Older link"
    async with http.get(base_url + older.group(1).replace("&amp;", "&")) as r:
        second = await r.text()
    assert box["s-free"] in second and box["s-mine"] in second and box["b-free"] not in second


async def test_mentions_view_lists_conversations_where_a_note_named_me(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    box = await _inbox(hub)
    ana_id = box["ana"]["_id"]
    conversation = await hub.db[model.CONVERSATIONS].find_one({"_id": ObjectId(str(box["s-free"]))})
    assert conversation is not None
    await messages.insert_unique(hub.db, {"conversation_id": conversation["_id"], "direction": model.NOTE,
                                          "kind": "message", "text": "@Ana can you look?", "mentions": [ana_id],
                                          "author": {"type": "agent", "name": "Lee"}, "created_at": utcnow()})
    await login(http, base_url, "ana@x.test")
    async with http.get(f"{base_url}/api/v1/conversations?view=mentions&counts=1") as r:
        body = await r.json()
    assert [c["id"] for c in body["conversations"]] == [box["s-free"]]
    assert body["counts"]["mentions"] == 1


async def test_view_queries_use_an_index_on_the_embedded_database(hub: Hub) -> None:
    box = await _inbox(hub)
    ana = box["ana"]
    for view in ("mine", "unassigned", f"dept:{box['support']}", "all"):
        for core in (await inbox_views.plan(hub.db, ana, view)).cores:
            for field, bound in (("last_message_at", "$lte"), ("waiting_since", "$gte")):
                query = {**core, "status": "open", field: {bound: utcnow()}}
                plan = await hub.db[model.CONVERSATIONS].find(query).sort(field, 1).explain()
                assert "IXSCAN" in str(plan) and "COLLSCAN" not in str(plan), (view, field, plan)
    plan = await hub.db[model.MESSAGES].find({"mentions": ana["_id"]}).explain()
    assert "IXSCAN" in str(plan), plan
