"""Canned responses in scopes: personal ones beside shared and department ones, who sees and who may change
which, an old shared one adopted at start, and the preview filled in with the conversation's customer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from pymongo import AsyncMongoClient

from hub import keys
from hub import names as model
from hub.app import create_app
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from hub.store.db import Doc
from tests.conftest import make_settings
from tests.integration.conversation.helpers import Agent, agent, customer_writes


async def send(who: Agent, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    async with who.http.request(method, who.base + path, json=body, headers={"X-CSRF-Token": who.csrf}) as r:
        return r.status, await r.json()


async def shortcuts(who: Agent, q: str = "") -> list[tuple[str, str]]:
    status, listed = await who.get(f"/api/v1/canned?q={q}")
    assert status == 200, listed
    return [(c["shortcut"], c["scope"]) for c in listed["canned"]]


async def test_a_personal_shortcut_shadows_the_shared_one_for_its_owner_only_and_comes_first(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena Lead", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")
    for shortcut in ("hi", "bye", "zz"):
        status, _ = await lead.post("/api/v1/canned", {"shortcut": shortcut, "title": shortcut, "body": "Shared"})
        assert status == 201
    status, mine = await ana.post("/api/v1/canned", {"shortcut": "hi", "title": "My hi", "body": "Mine",
                                                     "scope": "personal"})
    assert status == 201 and mine["scope"] == "personal" and mine["owner_id"] == str(ana.user["_id"])
    status, _ = await ana.post("/api/v1/canned", {"shortcut": "zz-mine", "title": "z", "body": "z",
                                                  "scope": "personal"})
    assert status == 201

    assert await shortcuts(ana) == [("hi", "personal"), ("zz-mine", "personal"), ("bye", "shared"), ("zz", "shared")]
    assert await shortcuts(ana, "z") == [("zz-mine", "personal"), ("zz", "shared")]
    assert await shortcuts(lead) == [("bye", "shared"), ("hi", "shared"), ("zz", "shared")]  # nobody else sees it


async def test_a_shortcut_is_unique_within_its_scope_and_free_in_another(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena Lead", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    assert (await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b"}))[0] == 201
    status, dept = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b",
                                                      "scope": "department", "department_id": str(support["_id"])})
    assert status == 201 and dept["scope"] == "department" and dept["department_id"] == str(support["_id"])
    assert (await ana.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b",
                                              "scope": "personal"}))[0] == 201
    assert (await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b",
                                               "scope": "personal"}))[0] == 201  # the lead's own

    status, body = await ana.post("/api/v1/canned", {"shortcut": "/HI", "title": "t", "body": "b", "scope": "personal"})
    assert status == 409 and body["error"] == "the shortcut /hi is taken among your canned responses; pick another"
    status, body = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b",
                                                      "department_id": str(support["_id"])})
    assert status == 409 and "taken in that department" in body["error"]
    status, body = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "t", "body": "b"})
    assert status == 409 and "taken among shared ones" in body["error"]
    status, other = await ana.post("/api/v1/canned", {"shortcut": "hey", "title": "t", "body": "b",
                                                      "scope": "personal"})
    status, body = await send(ana, "PATCH", f"/api/v1/canned/{other['id']}", {"shortcut": "hi"})
    assert status == 409 and "/hi is taken among your canned responses" in body["error"]
    assert await hub.db[model.CANNED].count_documents({"shortcut": "hi"}) == 4


async def test_department_ones_reach_that_departments_agents_and_hide_the_shared_one_there(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await agent(hub, http, base_url, "admin@x.test", "Ada Admin", role="admin", departments=())
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")  # Support
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http3:
        sam = await agent(hub, http3, base_url, "sam@x.test", "Sam Sales", departments=("Sales",))
        support = await users.department_by_name(hub.db, "Support")
        assert support is not None
        await admin.post("/api/v1/canned", {"shortcut": "hours", "title": "Hours", "body": "9 to 5"})
        status, dept = await admin.post("/api/v1/canned", {"shortcut": "hours", "title": "Support hours",
                                                           "body": "Support: 8 to 8",
                                                           "department_id": str(support["_id"])})
        assert status == 201
        status, listed = await ana.get("/api/v1/canned?q=ho")
        assert [(c["title"], c["department"]) for c in listed["canned"]] == [("Support hours", "Support")]
        assert await shortcuts(sam, "ho") == [("hours", "shared")]
        assert await shortcuts(admin, "ho") == [("hours", "shared")]  # not one of Support's agents

        cid = (await customer_writes(hub, "hi", "s-1"))["_id"]
        assert (await ana.post(f"/api/v1/conversations/{cid}/canned/{dept['id']}", {}))[1]["text"] == "Support: 8 to 8"
        status, body = await admin.post(f"/api/v1/conversations/{cid}/canned/{dept['id']}", {})
        assert (status, body["error"]) == (404, "canned response not found")  # the admin sees the conversation


async def test_agents_change_only_their_own_and_get_a_sentence_for_the_rest(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena Lead", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http3:
        bo = await agent(hub, http3, base_url, "bo@x.test", "Bo Berg")
        status, shared = await lead.post("/api/v1/canned", {"shortcut": "hi", "title": "Hi", "body": "Hi"})
        status, anas = await ana.post("/api/v1/canned", {"shortcut": "mine", "title": "Mine", "body": "Mine",
                                                         "scope": "personal"})
        assert status == 201

        for method in ("PATCH", "DELETE"):
            status, body = await send(bo, method, f"/api/v1/canned/{anas['id']}", {"title": "Bo's now"})
            assert (status, body["error"]) == (404, "canned response not found"), method
            status, body = await send(lead, method, f"/api/v1/canned/{anas['id']}", {"title": "Lead's now"})
            assert (status, body["error"]) == (404, "canned response not found"), method  # not even a lead
            status, body = await send(ana, method, f"/api/v1/canned/{shared['id']}", {"title": "Ana's now"})
            assert status == 403 and "managed by admins and leads" in body["error"], method
        status, body = await ana.post("/api/v1/canned", {"shortcut": "x", "title": "x", "body": "x", "scope": "shared"})
        assert status == 403 and "make a personal one" in body["error"]
        status, body = await send(ana, "PATCH", f"/api/v1/canned/{anas['id']}", {"scope": "shared"})
        assert status == 403  # a personal one cannot be promoted by its agent
        status, body = await ana.post("/api/v1/canned", {"shortcut": "x", "title": "x", "body": "x", "scope": "team"})
        assert status == 400 and body["error"] == "'scope' must be one of shared, personal, department"

        status, body = await send(ana, "PATCH", f"/api/v1/canned/{anas['id']}", {"body": "Mine, {{ contact.name }}"})
        assert status == 200 and body["body"] == "Mine, {{ contact.name }}" and body["scope"] == "personal"
        conversation = await customer_writes(hub, "hi", "e-1")
        status, body = await bo.post(f"/api/v1/conversations/{conversation['_id']}/canned/{anas['id']}", {})
        assert (status, body["error"]) == (404, "canned response not found")  # nor can Bo insert it
        status, body = await send(ana, "DELETE", f"/api/v1/canned/{anas['id']}")
        assert status == 200
        assert await shortcuts(ana) == [("hi", "shared")]
        shared_doc = await hub.db[model.CANNED].find_one({"shortcut": "hi"})
        assert shared_doc is not None and shared_doc["title"] == "Hi"  # the refusals changed nothing


async def test_the_preview_is_the_text_filled_in_for_this_conversations_customer_and_a_broken_one_says_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana Agent")
    conversation = await customer_writes(hub, "سلام", "p-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]},
                                            {"$set": {"name": "Parisa Ahmadi", "attributes": {"plan": "Gold"}}})
    status, mine = await ana.post("/api/v1/canned", {
        "shortcut": "hi", "title": "Hi", "scope": "personal",
        "body": "سلام {{ contact.first_name }} ({{ contact.attributes.plan }}) — {{ agent.name }}"})
    assert status == 201
    status, listed = await ana.get("/api/v1/canned?q=/h")
    assert "contact.name" in listed["variables"] and "agent.name" in listed["variables"]
    status, rendered = await ana.post(f"/api/v1/conversations/{conversation['_id']}/canned/{mine['id']}", {})
    assert (status, rendered["text"]) == (200, "سلام Parisa (Gold) — Ana Agent")

    status, broken = await ana.post("/api/v1/canned", {"shortcut": "broken", "title": "Broken", "scope": "personal",
                                                       "body": "{{ contact.name | nosuchfilter }}"})
    assert status == 400 and "No filter named 'nosuchfilter'" in broken["error"]  # refused when saved
    owes = "{{ contact.name }} owes {{ 10 / contact.tags | length }}"
    status, broken = await ana.post("/api/v1/canned", {"shortcut": "broken", "title": "Broken", "scope": "personal",
                                                       "body": owes})
    assert status == 201  # it compiles; only this customer's values break it
    status, body = await ana.post(f"/api/v1/conversations/{conversation['_id']}/canned/{broken['id']}", {})
    assert (status, body["error"]) == (400, "the canned response could not be rendered: division by zero")
    huge = "{% for i in range(99999) %}{{ contact.name }}{% endfor %}"
    status, loop = await ana.post("/api/v1/canned", {"shortcut": "loop", "title": "Loop", "scope": "personal",
                                                     "body": huge})
    assert status == 201
    status, body = await ana.post(f"/api/v1/conversations/{conversation['_id']}/canned/{loop['id']}", {})
    assert status == 400 and body["error"].startswith("the canned response renders to more than")


async def test_an_old_shared_canned_response_is_adopted_as_shared_at_start(
    aiohttp_server: Any, mongo_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    settings = make_settings(mongo_url, tmp_path)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url)
    try:
        old = client[settings.db_name][model.CANNED]
        await old.create_index([("shortcut", 1)], unique=True, name="shortcut_unique")
        inserted = await old.insert_one({"shortcut": "thanks", "title": "Thanks", "body": "Thanks {{ contact.name }}",
                                         "created_at": utcnow(), "updated_at": utcnow()})
    finally:
        await client.close()
    for start in range(2):  # a second start finds nothing more to do
        server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
        hub = server.app[keys.HUB]
        indexes = {index["name"] async for index in await hub.db[model.CANNED].list_indexes()}
        assert "shortcut_unique" not in indexes and "scope_shortcut" in indexes
        adopted = await hub.db[model.CANNED].find_one({"_id": inserted.inserted_id})
        assert adopted is not None and adopted["scope"] == "shared" and adopted["owner_id"] is None, start
        if start == 0:
            base_url = str(server.make_url("")).rstrip("/")
            ana = await agent(hub, http, base_url, "ana@x.test", "Ana Agent")
            assert await shortcuts(ana) == [("thanks", "shared")]
            status, _ = await ana.post("/api/v1/canned", {"shortcut": "thanks", "title": "t", "body": "b",
                                                          "scope": "personal"})
            assert status == 201  # the old index would have refused this
        await server.close()


async def test_the_demo_seeds_shared_ones_in_five_languages_and_a_personal_greeting_for_a_support_agent(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    from hub.actions.demo import seed_demo
    from tests.support.agents import login

    await seed_demo(hub.db)
    sina_csrf = await login(http, base_url, "support1@demo.hub", "demo-password")
    sina_user = await users.user_by_email(hub.db, "support1@demo.hub")
    assert sina_user is not None
    sina = Agent(http, base_url, sina_csrf, sina_user)
    listed = await shortcuts(sina, "hi")
    assert listed[0] == ("hi", "personal")
    assert [s for s, _ in listed[1:]] == ["hi-ar", "hi-fa", "hi-vi", "hi-zh"]  # the shared /hi is hidden for her
    sam_user = await users.user_by_email(hub.db, "sales1@demo.hub")
    assert sam_user is not None
    sam = Agent(http2, base_url, await login(http2, base_url, "sales1@demo.hub", "demo-password"), sam_user)
    every = {s for s, _ in await shortcuts(sam)}
    assert {f"{kind}{suffix}" for kind in ("hi", "looking", "bye") for suffix in ("", "-fa", "-ar", "-zh", "-vi")} \
        <= every

    conversation = await customer_writes(hub, "سلام", "demo-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Parisa Ahmadi"}})
    await hub.db[model.CONVERSATIONS].update_one({"_id": conversation["_id"]},
                                                 {"$set": {"assignee_id": sam_user["_id"]}})
    status, found = await sam.get("/api/v1/canned?q=hi-fa")
    status, rendered = await sam.post(f"/api/v1/conversations/{conversation['_id']}/canned/{found['canned'][0]['id']}",
                                      {})
    assert status == 200 and rendered["text"].startswith("سلام Parisa عزیز، ") and "من Sam هستم" in rendered["text"]


async def test_the_admin_page_shows_who_may_use_each_team_one_and_my_page_only_mine(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await agent(hub, http, base_url, "lead@x.test", "Lena Lead", role="lead")
    ana = await agent(hub, http2, base_url, "ana@x.test", "Ana Agent")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    await lead.post("/api/v1/canned", {"shortcut": "team", "title": "Team", "body": "b",
                                       "department_id": str(support["_id"])})
    status, everyone = await lead.post("/api/v1/canned", {"shortcut": "all", "title": "All", "body": "b"})
    await lead.post("/api/v1/canned", {"shortcut": "lenas", "title": "Lena's own", "body": "b", "scope": "personal"})
    await ana.post("/api/v1/canned", {"shortcut": "anas", "title": "Ana's own", "body": "b", "scope": "personal"})

    page = await lead.page("/admin/canned")
    assert 'data-canned="team"' in page and 'data-canned="all"' in page
    assert "lenas" not in page and "anas" not in page  # personal ones are nobody else's business
    team_row = page[page.index('data-canned="team"'):]
    assert 'class="canned-scope"><bdi dir="auto">Support</bdi>' in team_row[:600]
    mine = await ana.page("/inbox/canned")
    assert 'data-canned="anas"' in mine and "lenas" not in mine and 'data-canned="team"' not in mine
    assert '<input type="hidden" name="scope" value="personal">' in mine
    async with http2.get(f"{base_url}/admin/canned", allow_redirects=False) as r:
        assert r.status == 403

    # The admin form sends the department picked (or null for everyone) without a scope: that moves it.
    path = f"/api/v1/canned/{everyone['id']}"
    status, moved = await send(lead, "PATCH", path, {"department_id": str(support["_id"])})
    assert (status, moved["scope"], moved["department_id"]) == (200, "department", str(support["_id"]))
    status, moved = await send(lead, "PATCH", path, {"department_id": None})
    assert (status, moved["scope"], moved["department_id"]) == (200, "shared", None)
