"""The top bar on every page: the navigation a role may use, the agent's own status as stored, and a
page's own content never overwritten by the bar's variables (the error page keeps its status code)."""

from __future__ import annotations

import re

import aiohttp

from hub import names as model
from hub.runtime import Hub
from tests.support.agents import login, make_user


async def test_an_agent_sees_their_stored_status_and_no_lead_navigation(
        hub: Hub, http: aiohttp.ClientSession, base_url: str) -> None:
    await make_user(hub.db, "ana@x.test", name="Ana Agent")
    await hub.db[model.USERS].update_one({"email": "ana@x.test"}, {"$set": {"status": "away"}})
    await login(http, base_url, "ana@x.test")
    async with http.get(f"{base_url}/inbox/contacts") as r:
        html = await r.text()
    assert 'data-my-status="away"' in html and '<option value="away" selected>Away</option>' in html
    assert 'href="/inbox/contacts" aria-current="page"' in html
    assert 'href="/inbox/team"' not in html.split("</header>")[0] and 'href="/admin"' not in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html


async def test_a_lead_who_takes_no_conversations_gets_team_and_admin_but_no_status(
        hub: Hub, http: aiohttp.ClientSession, base_url: str) -> None:
    await make_user(hub.db, "lena@x.test", role="lead")
    await login(http, base_url, "lena@x.test")
    async with http.get(f"{base_url}/inbox") as r:
        bar = (await r.text()).split("</header>")[0]
    assert 'href="/inbox/team"' in bar and 'href="/admin"' in bar
    assert "data-my-status" not in bar


async def test_the_error_page_of_a_signed_in_agent_shows_its_own_status_code(
        hub: Hub, http: aiohttp.ClientSession, base_url: str) -> None:
    await make_user(hub.db, "ana@x.test")
    await login(http, base_url, "ana@x.test")
    async with http.get(f"{base_url}/inbox/contacts/000000000000000000000000") as r:
        assert r.status == 404
        html = await r.text()
    assert re.search(r"<h1>\s*404\s*</h1>", html), html.split("<main")[1][:400]
