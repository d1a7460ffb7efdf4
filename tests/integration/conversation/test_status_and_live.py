"""Snooze wakes up, labels and priority, presence over the live stream, catch-up after a drop, mail HTML."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from hub import names as model
from hub.assign.tasks import tick
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import messages
from tests.integration.conversation.helpers import agent, customer_writes
from tests.support.agents import next_event, sse_events


async def test_snoozed_conversation_reopens_when_its_time_passes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = (await customer_writes(hub, "call me tomorrow", "s-1"))["_id"]
    until = utcnow() + timedelta(hours=3)
    status, body = await ana.post(f"/api/v1/conversations/{cid}/snooze", {"until": until.isoformat()})
    assert status == 200 and body["status"] == "snoozed"

    await tick(hub, utcnow() + timedelta(hours=1))
    assert (await hub.db[model.CONVERSATIONS].find_one({"_id": cid}))["status"] == "snoozed"  # type: ignore[index]
    report = await tick(hub, until + timedelta(seconds=1))
    assert report.woken == [str(cid)]
    woken = await hub.db[model.CONVERSATIONS].find_one({"_id": cid})
    assert woken is not None and woken["status"] == "open" and "snoozed_until" not in woken
    texts = [m["text"] for m in await messages.timeline(hub.db, cid) if m["direction"] == "event"]
    assert "The snooze ended; the conversation is open again." in texts
    assert texts[-2].startswith("Ana snoozed this until")


async def test_snooze_refuses_a_past_or_missing_time_readably(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = (await customer_writes(hub, "hi", "s-2"))["_id"]
    for until, words in (("", "'until' is required"), ("tomorrow", "not a date and time"),
                         ((utcnow() - timedelta(minutes=1)).isoformat(), "in the past")):
        status, body = await ana.post(f"/api/v1/conversations/{cid}/snooze", {"until": until})
        assert status == 400 and words in body["error"], body
    assert (await hub.db[model.CONVERSATIONS].find_one({"_id": cid}))["status"] == "open"  # type: ignore[index]


async def test_labels_and_priority_are_set_with_readable_refusals(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = (await customer_writes(hub, "hi", "l-1"))["_id"]
    status, body = await ana.post(f"/api/v1/conversations/{cid}/labels", {"labels": "billing,  VIP , vip, بازگشت"})
    assert status == 200 and body["labels"] == ["billing", "VIP", "بازگشت"]
    status, body = await ana.post(f"/api/v1/conversations/{cid}/labels", {"labels": ["x" * 41]})
    assert status == 400 and "at most 40 characters" in body["error"]
    status, body = await ana.post(f"/api/v1/conversations/{cid}/priority", {"priority": "urgent"})
    assert status == 200 and body["priority"] == "urgent"
    status, body = await ana.post(f"/api/v1/conversations/{cid}/priority", {"priority": "asap"})
    assert status == 400 and "low, normal, high, urgent" in body["error"]
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": cid})
    assert stored is not None and stored["labels"] == ["billing", "VIP", "بازگشت"] and stored["priority"] == "urgent"


async def test_another_agent_viewing_and_typing_reaches_the_live_stream_but_not_other_departments(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    bo = await agent(hub, http2, base_url, "bo@x.test", "Bo")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http3:
        sam = await agent(hub, http3, base_url, "sam@x.test", "Sam", departments=("Sales",))
        cid = str((await customer_writes(hub, "hi", "p-1"))["_id"])
        async with http.get(f"{base_url}/inbox/events") as response:
            stream = sse_events(response)
            await next_event(stream, "ready", {})
            status, body = await bo.post(f"/api/v1/conversations/{cid}/presence", {"typing": "1"})
            assert status == 200 and [v["name"] for v in body["viewers"]] == ["Bo"]
            seen = await next_event(stream, "conversation_viewers", {"conversation_id": cid, "name": "Bo"})
            assert seen["typing_until"] is not None and seen["expires_at"] > seen["typing_until"]
            await bo.post(f"/api/v1/conversations/{cid}/presence", {"left": "1"})
            gone = await next_event(stream, "conversation_viewers", {"conversation_id": cid, "name": "Bo",
                                                                      "typing_until": None})
            assert gone["expires_at"] <= utcnow().isoformat()
        assert (await ana.get(f"/api/v1/conversations/{cid}/presence"))[1]["viewers"] == []
        status, body = await sam.post(f"/api/v1/conversations/{cid}/presence", {})
        assert status == 404 and body["error"] == "conversation not found"


async def test_reconnecting_page_gets_what_it_missed_since_its_last_event_id(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = str((await customer_writes(hub, "first", "r-1"))["_id"])
    async with http.get(f"{base_url}/inbox/events") as response:
        stream = sse_events(response)
        ready = await next_event(stream, "ready", {})
    last_event_id = str(ready["at"])
    await customer_writes(hub, "sent while the agent was offline", "r-2")

    async with http.get(f"{base_url}/inbox/events", headers={"Last-Event-ID": last_event_id}) as response:
        ready = await next_event(sse_events(response), "ready", {})
    assert ready["since"] == int(last_event_id)  # the page is told where to catch up from
    async with http.get(f"{base_url}/inbox/c/{cid}/sync?since={ready['since']}") as r:
        html = await r.text()
    assert "sent while the agent was offline" in html and "first" not in html
    async with http.get(f"{base_url}/inbox/c/{cid}/sync?since=yesterday") as r:
        assert r.status == 400 and "must be the SSE id" in await r.text()


async def test_email_html_is_served_for_a_sandboxed_frame_and_remote_images_only_on_request(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    cid = (await customer_writes(hub, "plain text", "e-1"))["_id"]
    message = await hub.db[model.MESSAGES].find_one({"conversation_id": cid, "direction": "in"})
    assert message is not None
    await hub.db[model.MESSAGES].update_one({"_id": message["_id"]}, {"$set": {
        "html": "<p>Hello <b>there</b></p>",
        "extras": {"html_remote_images": '<p>Hello <img src="https://tracker.example/p.gif"></p>',
                   "full_text": "plain text\n\n> the whole quoted history"}}})
    async with http.get(f"{base_url}/inbox/mail/{message['_id']}") as r:
        assert r.status == 200 and "<b>there</b>" in await r.text()
        csp = r.headers["Content-Security-Policy"]
        assert csp.startswith("sandbox ") and "script-src" not in csp and "img-src data:;" in csp
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN" and r.headers["Referrer-Policy"] == "no-referrer"
    async with http.get(f"{base_url}/inbox/mail/{message['_id']}?remote=1") as r:
        assert "tracker.example" in await r.text()
        assert "img-src data: https: http:;" in r.headers["Content-Security-Policy"]
    page = await ana.page(f"/inbox/c/{cid}")
    assert 'data-src="/inbox/mail/' in page and "tracker.example" not in page
    assert "the whole quoted history" in page  # the folded quote is one click away
