"""Every revocation takes effect on the very next request: signing out (even a kept copy of the cookie), a
role or department taken away, deactivation, and a session ended through another hub process. Each case first
loads pages as the user, then changes them, then asks once more. It guards any future cache of who a cookie
stands for (issue #15 P3/P4: cache what is per session)."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from channels.base import WEBCHAT, Identity, InboundMessage
from hub import keys
from hub import names as model
from hub.app import create_app
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.settings import Settings
from hub.store import users
from tests.support.agents import login, make_user


async def _setup(aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession,
                 role: str = "agent") -> tuple[Any, str, str, str]:
    server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    hub = server.app[keys.HUB]
    base = str(server.make_url("")).rstrip("/")
    await make_user(hub.db, "mina@x.test", role=role)
    arrival = await ingest(hub, InboundMessage(channel="webchat", identity=Identity(WEBCHAT, "v-1"), text="hello",
                                               received_at=utcnow(), external_id="w-1", raw={}))
    csrf = await login(http, base, "mina@x.test")
    page = f"{base}/inbox/c/{arrival.conversation['_id']}"
    for _ in range(2):  # a second time: anything kept of the first is in place
        async with http.get(page) as r:
            assert r.status == 200, await r.text()
    return hub, base, page, csrf


async def test_signing_out_ends_the_cached_session_on_the_next_request(
        aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession) -> None:
    _, base, page, csrf = await _setup(aiohttp_server, settings, http)
    cookie = next(c.value for c in http.cookie_jar if c.key == "hub_session")
    async with http.post(f"{base}/logout", data={"_csrf": csrf}, allow_redirects=False) as r:
        assert r.status in (302, 303), await r.text()
    # The old cookie sent again (a copy of it, or a tab that kept it): it no longer signs anyone in.
    async with http.get(page, allow_redirects=False, headers={"Cookie": f"hub_session={cookie}"}) as r:
        assert r.status == 302 and r.headers["Location"].startswith("/login")


async def test_a_session_ended_by_another_hub_process_ends_here_on_the_next_request(
        aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession) -> None:
    hub, _, page, _ = await _setup(aiohttp_server, settings, http)
    await hub.db[model.SESSIONS].delete_many({})  # as a sign-out everywhere through another process writes it
    async with http.get(page, allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"].startswith("/login")


async def test_a_department_taken_away_hides_its_conversation_on_the_next_request(
        aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession) -> None:
    hub, _, page, _ = await _setup(aiohttp_server, settings, http)
    other = await users.ensure_department(hub.db, "Billing", utcnow())
    await hub.db[model.USERS].update_one({"email": "mina@x.test"}, {"$set": {"department_ids": [other["_id"]]}})
    async with http.get(page) as r:
        assert r.status == 404, await r.text()


async def test_a_role_taken_away_closes_the_admin_pages_on_the_next_request(
        aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession) -> None:
    hub, base, _, _ = await _setup(aiohttp_server, settings, http, role="admin")
    async with http.get(f"{base}/admin/users") as r:
        assert r.status == 200, await r.text()
    await hub.db[model.USERS].update_one({"email": "mina@x.test"}, {"$set": {"role": "agent"}})
    async with http.get(f"{base}/admin/users") as r:
        assert r.status == 403, await r.text()


async def test_deactivation_signs_the_cached_user_out_on_the_next_request(
        aiohttp_server: Any, settings: Settings, http: aiohttp.ClientSession) -> None:
    hub, _, page, _ = await _setup(aiohttp_server, settings, http)
    await hub.db[model.USERS].update_one({"email": "mina@x.test"}, {"$set": {"deactivated_at": utcnow()}})
    async with http.get(page, allow_redirects=False) as r:
        assert r.status == 302 and r.headers["Location"].startswith("/login")
