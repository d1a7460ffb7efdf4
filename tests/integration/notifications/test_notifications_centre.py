"""The notifications centre over the real server: who each producer tells (never the person who acted),
the list with its unread count, marking read, that nobody reaches another's notifications, and live
delivery to the owner's stream only."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import aiohttp
from bson import ObjectId

from hub.clock import utcnow
from hub.live.notify import notify
from hub.runtime import Hub
from hub.store.documents import Conversation
from tests.integration.inbox.helpers import arrive, place
from tests.integration.routing.support import agent, api, department, token_for, writes
from tests.support.agents import make_user, next_event, sse_events


async def kinds_of(http: aiohttp.ClientSession, base_url: str, headers: dict[str, str]) -> list[str]:
    status, body = await api(http, "GET", f"{base_url}/api/v1/notifications", headers)
    assert status == 200, body
    return [n["kind"] for n in body["notifications"]]


async def support_conversation(hub: Hub, text: str, who: str, **fields: Any) -> Conversation:
    chat = await arrive(hub, text, who, name="Mina Customer")
    support = await department(hub, "Support")
    await place(hub, chat.conversation["_id"], department_id=support["_id"], **fields)
    return chat.conversation


async def test_an_assignment_by_someone_else_notifies_the_assignee_and_taking_it_oneself_does_not(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    lead = await make_user(hub.db, "lead@x.test", role="lead", name="Lena")
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    first = await support_conversation(hub, "order missing", "v-1")
    second = await support_conversation(hub, "refund", "v-2")
    as_lead, as_ana = await token_for(hub, lead), await token_for(hub, ana)

    status, _ = await api(http, "POST", f"{base_url}/api/v1/conversations/{first['_id']}/assign", as_lead,
                          json={"assignee_id": str(ana["_id"]), "note": "VIP, be quick"})
    assert status == 200
    status, _ = await api(http, "POST", f"{base_url}/api/v1/conversations/{second['_id']}/assign", as_ana,
                          json={"assignee_id": "me"})
    assert status == 200

    status, body = await api(http, "GET", f"{base_url}/api/v1/notifications", as_ana)
    assert [n["kind"] for n in body["notifications"]] == ["assignment"]
    [notice] = body["notifications"]
    assert notice["conversation_id"] == str(first["_id"]) and notice["url"] == f"/inbox/c/{first['_id']}"
    assert notice["text"] == "Lena assigned you a conversation: VIP, be quick"
    assert notice["contact_name"] == "Mina Customer" and notice["read"] is False
    assert body["unread_count"] == 1
    assert await kinds_of(http, base_url, as_lead) == []


async def test_a_transfer_to_a_queue_tells_that_departments_people_and_one_to_an_agent_tells_them_and_the_lead(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    boss = await make_user(hub.db, "boss@x.test", role="lead", departments=("Support",), name="Boss")
    sales_lead = await make_user(hub.db, "sl@x.test", role="lead", departments=(), name="Sara")
    sales = await department(hub, "Sales", lead_id=sales_lead["_id"])
    sam = await make_user(hub.db, "sam@x.test", departments=("Sales",), name="Sam")
    sue = await make_user(hub.db, "sue@x.test", departments=("Sales",), name="Sue")
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    queued = await support_conversation(hub, "pricing question", "v-1", assignee_id=ana["_id"])
    direct = await support_conversation(hub, "enterprise plan", "v-2")
    as_boss = await token_for(hub, boss)

    status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{queued['_id']}/transfer", as_boss,
                             json={"department_id": str(sales["_id"]), "note": "they sell"})
    assert status == 200, body
    for person in (sam, sue, sales_lead):
        status, got = await api(http, "GET", f"{base_url}/api/v1/notifications", await token_for(hub, person))
        assert [n["kind"] for n in got["notifications"]] == ["transfer"], person["name"]
        assert got["notifications"][0]["text"] == "Boss transferred a conversation to Sales; it waits in the queue. " \
                                                  "Note: they sell"
    assert await kinds_of(http, base_url, as_boss) == []  # the one who moved it
    assert await kinds_of(http, base_url, await token_for(hub, ana)) == []

    status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{direct['_id']}/transfer", as_boss,
                             json={"department_id": "Sales", "agent_id": str(sam["_id"])})
    assert status == 200, body
    assert await kinds_of(http, base_url, await token_for(hub, sam)) == ["assignment", "transfer"]
    assert await kinds_of(http, base_url, await token_for(hub, sue)) == ["transfer"]  # only the first
    assert await kinds_of(http, base_url, await token_for(hub, sales_lead)) == ["transfer", "transfer"]


async def test_routing_assigning_a_new_conversation_tells_the_agent_and_a_breach_tells_lead_and_assignee(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    from hub.assign.tasks import tick

    lead = await make_user(hub.db, "lead@x.test", role="lead")
    await department(hub, "Support", lead_id=lead["_id"],
                     sla={"normal": {"first_response": 60, "escalation": "raise_priority"}})
    helper = await agent(hub, "support@x.test")
    result = await writes(hub, "still waiting", "v-1")
    as_helper = await token_for(hub, helper)
    assert await kinds_of(http, base_url, as_helper) == ["assignment"]
    assert (await tick(hub, utcnow() + timedelta(minutes=5))).breaches == [str(result.conversation["_id"])]
    assert await kinds_of(http, base_url, as_helper) == ["sla_breach", "assignment"]
    assert await kinds_of(http, base_url, await token_for(hub, lead)) == ["sla_breach"]


async def test_the_list_pages_newest_first_and_marking_read_moves_the_unread_count(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    conversation = await support_conversation(hub, "hello", "v-1")
    for i in range(7):
        await notify(hub.db, [ana["_id"]], "routing", f"notice {i}", utcnow(), conversation=conversation)
    headers = await token_for(hub, ana)
    url = f"{base_url}/api/v1/notifications"

    status, first = await api(http, "GET", f"{url}?limit=3", headers)
    assert [n["text"] for n in first["notifications"]] == ["notice 6", "notice 5", "notice 4"]
    assert first["unread_count"] == 7 and first["next_before"] == first["notifications"][-1]["id"]
    status, second = await api(http, "GET", f"{url}?limit=3&before={first['next_before']}", headers)
    assert [n["text"] for n in second["notifications"]] == ["notice 3", "notice 2", "notice 1"]
    status, last = await api(http, "GET", f"{url}?limit=3&before={second['next_before']}", headers)
    assert [n["text"] for n in last["notifications"]] == ["notice 0"] and last["next_before"] is None

    status, marked = await api(http, "POST", f"{url}/{second['notifications'][0]['id']}/read", headers)
    assert status == 200 and marked["notification"]["read"] is True and marked["unread_count"] == 6
    status, again = await api(http, "POST", f"{url}/{second['notifications'][0]['id']}/read", headers)
    assert again["notification"]["read_at"] == marked["notification"]["read_at"] and again["unread_count"] == 6
    status, unread = await api(http, "GET", f"{url}?unread=true&limit=100", headers)
    assert "notice 3" not in [n["text"] for n in unread["notifications"]] and len(unread["notifications"]) == 6

    # "Mark all read" covers what the person saw: one that arrived after it stays unread.
    await notify(hub.db, [ana["_id"]], "routing", "arrived later", utcnow(), conversation=conversation)
    status, done = await api(http, "POST", f"{url}/read-all", headers, json={"up_to": first["notifications"][0]["id"]})
    assert status == 200 and done == {"marked": 6, "unread_count": 1}
    status, done = await api(http, "POST", f"{url}/read-all", headers, json={})
    assert done == {"marked": 1, "unread_count": 0}


async def test_nobody_can_list_or_mark_another_persons_notifications(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    admin = await make_user(hub.db, "root@x.test", role="admin", name="Root")
    [hers] = await notify(hub.db, [ana["_id"]], "routing", "for Ana only", utcnow())
    url = f"{base_url}/api/v1/notifications"
    for person in (bo, admin):
        headers = await token_for(hub, person)
        assert await kinds_of(http, base_url, headers) == []
        status, body = await api(http, "POST", f"{url}/{hers['_id']}/read", headers)
        assert status == 404 and body["error"] == "notification not found"
        status, body = await api(http, "POST", f"{url}/read-all", headers, json={})
        assert body["marked"] == 0
    status, body = await api(http, "GET", url, await token_for(hub, ana))
    assert body["unread_count"] == 1 and body["notifications"][0]["read"] is False
    async with http.get(url) as r:
        assert r.status == 401


async def test_bad_paging_and_settings_are_refused_with_sentences(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await token_for(hub, await make_user(hub.db, "ana@x.test"))
    url = f"{base_url}/api/v1/notifications"
    status, body = await api(http, "GET", f"{url}?limit=0", headers)
    assert status == 400 and body["error"] == "'limit' must be a whole number from 1 to 100"
    status, body = await api(http, "GET", f"{url}?before=yesterday", headers)
    assert status == 400 and "'before' must be the id of a notification" in body["error"]
    status, body = await api(http, "POST", f"{url}/not-an-id/read", headers)
    assert status == 404
    status, body = await api(http, "POST", f"{url}/read-all", headers, json={"up_to": 5})
    assert status == 400 and body["field"] == "up_to"
    status, body = await api(http, "PUT", f"{url}/preferences", headers, json={"browser": ["mention", "gossip"]})
    assert status == 400 and body["error"].startswith("item 2 of 'browser' must be one of mention, assignment")


async def test_alert_settings_are_kept_per_user_and_list_every_kind(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana, bo = await make_user(hub.db, "ana@x.test"), await make_user(hub.db, "bo@x.test")
    url = f"{base_url}/api/v1/notifications/preferences"
    status, saved = await api(http, "PUT", url, await token_for(hub, ana),
                              json={"browser": ["sla_breach", "mention", "mention"], "sound": True})
    assert status == 200 and saved["browser"] == ["mention", "sla_breach"] and saved["sound"] is True
    status, again = await api(http, "GET", url, await token_for(hub, ana))
    assert again["browser"] == ["mention", "sla_breach"] and "assignment" in again["sound_kinds"]
    assert {k["kind"] for k in again["kinds"]} >= {"mention", "assignment", "transfer", "sla_warning", "sla_breach"}
    status, other = await api(http, "GET", url, await token_for(hub, bo))
    assert other["browser"] == [] and other["sound"] is False


async def test_a_mention_stays_listed_after_the_conversation_is_resolved(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    conversation = await support_conversation(hub, "invoice?", "v-1")
    cid = conversation["_id"]
    as_ana, as_bo = await token_for(hub, ana), await token_for(hub, bo)
    status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{cid}/reply", as_ana,
                             data={"text": "@Bo look", "note": "1", "mentions": str(bo["_id"])})
    assert status == 201, body
    status, _ = await api(http, "POST", f"{base_url}/api/v1/conversations/{cid}/status", as_ana,
                          json={"status": "resolved"})
    assert status == 200
    status, body = await api(http, "GET", f"{base_url}/api/v1/notifications", as_bo)
    assert [(n["kind"], n["conversation_id"]) for n in body["notifications"]] == [("mention", str(cid))]
    assert body["notifications"][0]["text"] == "Ana mentioned you in a note: @Bo look"


async def _stream(http: aiohttp.ClientSession, base_url: str, headers: dict[str, str], query: str = ""
                  ) -> tuple[aiohttp.ClientResponse, Any]:
    response = await http.get(f"{base_url}/inbox/events{query}", headers=headers)
    assert response.status == 200
    events = sse_events(response)
    await next_event(events, "ready", {})
    return response, events


async def test_a_new_notification_reaches_its_owners_stream_live_and_nobody_elses(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    # Ana's already: an open stream makes Bo present, and routing would offer him a queued one.
    conversation = await support_conversation(hub, "invoice?", "v-1", assignee_id=ana["_id"])
    as_ana, as_bo = await token_for(hub, ana), await token_for(hub, bo)
    bo_response, bo_events = await _stream(http, base_url, as_bo, "?only=notifications")
    ana_response, ana_events = await _stream(http2, base_url, as_ana)
    try:
        status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{conversation['_id']}/reply",
                                 as_ana, data={"text": "@Bo look", "note": "1", "mentions": str(bo["_id"])})
        assert status == 201, body

        async def first_real_event(events: Any) -> tuple[str, dict[str, Any]]:
            async for kind, data in events:
                if kind != "tick":
                    return kind, data
            raise AssertionError("stream ended")

        # Bo's bell-only stream: the mention is the first thing it says (the note itself is not sent).
        kind, data = await asyncio.wait_for(first_real_event(bo_events), 10)
        assert kind == "notifications" and data["kind"] == "mention" and data["read"] is False
        assert data["conversation_id"] == str(conversation["_id"])
        # Ana's full stream hears the note, and then her own notification, never Bo's.
        [for_ana] = await notify(hub.db, [ana["_id"]], "routing", "for Ana", utcnow())
        got = await next_event(ana_events, "notifications", {})
        assert got["id"] == str(for_ana["_id"])

        status, _ = await api(http, "POST", f"{base_url}/api/v1/notifications/{data['id']}/read", as_bo)
        assert status == 200
        read = await next_event(bo_events, "notifications", {"id": data["id"]})
        assert read["read"] is True and read["op"] == "update"
    finally:
        bo_response.close()
        ana_response.close()


async def test_notify_skips_the_actor_unknown_and_deactivated_people_and_unknown_kinds_are_a_bug(
    hub: Hub
) -> None:
    from hub.store import user_admin

    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    gone = await make_user(hub.db, "gone@x.test", name="Gone")
    await user_admin.deactivate(hub.db, gone["_id"], utcnow())
    told = await notify(hub.db, [ana["_id"], bo["_id"], bo["_id"], gone["_id"], ObjectId(), None], "routing",
                        "hello", utcnow(), actor_id=ana["_id"])
    assert [n["user_id"] for n in told] == [bo["_id"]] and told[0]["data"]["by"] == ana["_id"]
    try:
        await notify(hub.db, [bo["_id"]], "gossip", "x", utcnow())
    except ValueError as exc:
        assert "unknown notification kind 'gossip'" in str(exc)
    else:
        raise AssertionError("an unknown kind must not be stored")
