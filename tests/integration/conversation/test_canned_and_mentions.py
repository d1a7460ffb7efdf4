"""Canned responses rendered in a sandbox with contact variables; @mentions in notes notify people."""

from __future__ import annotations

import aiohttp

from hub import names as model
from hub.runtime import Hub
from hub.store import notifications
from tests.integration.conversation.helpers import agent, customer_writes


async def test_canned_response_renders_contact_and_agent_variables(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena Lead", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")
    conversation = await customer_writes(hub, "سلام", "c-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Parisa Ahmadi"}})
    status, canned = await lead.post("/api/v1/canned", {
        "shortcut": "/Thanks", "title": "Thank you",
        "body": "Hi {{ contact.first_name }}, thanks for writing. {{ contact.attributes.plan or 'No plan' }}. "
                "— {{ agent.first_name }}"})
    assert status == 201 and canned["shortcut"] == "thanks"

    status, listed = await ana.get("/api/v1/canned?q=tha")
    assert [c["shortcut"] for c in listed["canned"]] == ["thanks"]
    status, rendered = await ana.post(f"/api/v1/conversations/{conversation['_id']}/canned/{canned['id']}", {})
    assert status == 200
    assert rendered["text"] == "Hi Parisa, thanks for writing. No plan. — Ana"


async def test_canned_template_reaching_for_python_internals_fails_safely(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena", role="lead")
    conversation = await customer_writes(hub, "hi", "c-2")
    for body in ("{{ contact.__class__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}",
                 "{{ agent.name.format.__globals__ }}", "{% for i in range(10**9) %}x{% endfor %}"):
        shortcut = f"evil{len(body)}"
        status, canned = await lead.post("/api/v1/canned", {"shortcut": shortcut, "title": "evil", "body": body})
        assert status == 201, canned  # it parses; the sandbox stops it when rendered
        status, answer = await lead.post(f"/api/v1/conversations/{conversation['_id']}/canned/{canned['id']}", {})
        assert status == 400, (body, answer)
        assert answer["error"].startswith("the canned response"), answer
        assert "subclasses" not in answer["error"] or "unsafe" in answer["error"]


async def test_canned_responses_are_managed_by_leads_with_readable_refusals(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana")
    status, body = await ana.post("/api/v1/canned", {"shortcut": "x", "title": "x", "body": "x"})
    assert status == 403 and "lead" in body["error"]
    status, body = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "Hi", "body": "{% if %}"})
    assert status == 400 and "does not parse" in body["error"]
    status, body = await lead.post("/api/v1/canned", {"shortcut": "hi there", "title": "Hi", "body": "Hi"})
    assert status == 400 and "a-z" in body["error"]
    status, first = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "Hi", "body": "Hi"})
    assert status == 201
    status, body = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "Again", "body": "Hi"})
    assert status == 409 and "/hi is taken" in body["error"]
    async with http.patch(f"{base_url}/api/v1/canned/{first['id']}", json={"body": "Hello {{ contact.name }}"},
                          headers={"X-CSRF-Token": lead.csrf}) as r:
        assert r.status == 200 and (await r.json())["body"] == "Hello {{ contact.name }}"
    async with http.delete(f"{base_url}/api/v1/canned/{first['id']}", headers={"X-CSRF-Token": lead.csrf}) as r:
        assert r.status == 200
    assert (await ana.get("/api/v1/canned"))[1]["canned"] == []


async def test_mention_in_a_note_is_stored_and_notifies_each_mentioned_person(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    bo = await agent(hub, http2, base_url, "bo@x.test", "Bo Berg")
    lead = await agent(hub, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)), base_url,
                       "lead@x.test", "Lena", role="lead", departments=())
    try:
        conversation = await customer_writes(hub, "refund please", "n-1")
        cid = str(conversation["_id"])
        status, people = await ana.get(f"/api/v1/conversations/{cid}/mentionable?q=b")
        assert [p["name"] for p in people["users"]] == ["Bo Berg"]

        status, _ = await ana.post(f"/api/v1/conversations/{cid}/reply", {
            "text": "@Bo Berg @Lena can you approve?", "note": True,
            "mentions": f"{bo.user['_id']},{lead.user['_id']},{ana.user['_id']}"})
        assert status == 201
        note = await hub.db[model.MESSAGES].find_one({"direction": "note"})
        assert note is not None
        assert note["mentions"] == [bo.user["_id"], lead.user["_id"], ana.user["_id"]]
        for person in (bo, lead):
            [notice] = await notifications.for_user(hub.db, person.user["_id"])
            assert notice["kind"] == "mention" and notice["conversation_id"] == conversation["_id"]
            assert notice["data"]["message_id"] == note["_id"]
            assert "Ana mentioned you" in notice["text"]
        assert await notifications.for_user(hub.db, ana.user["_id"]) == []  # no note to oneself
    finally:
        await lead.http.close()


async def test_mentioning_someone_who_cannot_see_the_conversation_is_refused_and_nothing_is_posted(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    from tests.support.agents import make_user

    sales = await make_user(hub.db, "sam@x.test", departments=("Sales",), name="Sam Sales")
    cid = str((await customer_writes(hub, "hi", "n-2"))["_id"])
    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply",
                                  {"text": "@Sam look", "note": True, "mentions": [str(sales["_id"])]})
    assert status == 400 and "Sam Sales cannot see this conversation" in body["error"]
    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply",
                                  {"text": "@x", "note": True, "mentions": ["not-an-id"]})
    assert status == 400 and "not a user id" in body["error"]
    assert await hub.db[model.MESSAGES].count_documents({"direction": "note"}) == 0
    assert await notifications.for_user(hub.db, sales["_id"]) == []
