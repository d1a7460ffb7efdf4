"""Every refused request body or query string is the same 400: a sentence, the field, and each problem's reason;
an HTML page shows the same sentence."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.integration.routing.support import token_for, writes
from tests.support.agents import login, make_user


async def test_a_bad_query_parameter_is_a_400_naming_it_with_the_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await token_for(hub, await make_user(hub.db, "ana@x.test"))
    async with http.get(f"{base_url}/api/v1/conversations?limit=%C2%B2", headers=headers) as r:
        answer = await r.json()
    sentence = "'limit' must be a whole number from 1 to 200"
    assert r.status == 400
    assert answer == {"error": sentence, "status": 400, "field": "limit",
                      "fields": [{"field": "limit", "reason": sentence}]}


async def test_a_body_with_several_problems_lists_each_field_and_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await token_for(hub, await make_user(hub.db, "root@x.test", role="admin"))
    body = {"email": "not-an-email", "name": "", "password": "short", "role": "boss"}
    async with http.post(f"{base_url}/api/v1/admin/users", json=body, headers=headers) as r:
        answer = await r.json()
    assert r.status == 400 and answer["field"] == "email"
    assert [p["field"] for p in answer["fields"]] == ["email", "name", "password", "role"]
    assert answer["error"] == "; ".join(p["reason"] for p in answer["fields"])
    assert "at least 10 characters" in answer["error"] and "short" not in answer["error"].replace(
        "at least", "")  # the refused password is not repeated


async def test_a_check_that_needs_the_database_names_its_field_too(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await token_for(hub, await make_user(hub.db, "lead@x.test", role="lead"))
    conversation = (await writes(hub, "hello", "v-1")).conversation
    async with http.post(f"{base_url}/api/v1/conversations/{conversation['_id']}/transfer",
                         json={"department_id": "nowhere"}, headers=headers) as r:
        answer = await r.json()
    assert r.status == 400
    assert answer == {"error": "no department 'nowhere'", "status": 400, "field": "department_id",
                      "fields": [{"field": "department_id", "reason": "no department 'nowhere'"}]}


async def test_an_inbox_page_shows_the_same_sentence(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "ana@x.test")
    await login(http, base_url, "ana@x.test")
    async with http.get(f"{base_url}/inbox?sort=sideways", headers={"Accept": "text/html"}) as r:
        page = await r.text()
    assert r.status == 400 and r.content_type == "text/html"
    assert "sort must be &#39;recent&#39; (last activity) or &#39;waiting&#39; (longest waiting first)" in page
