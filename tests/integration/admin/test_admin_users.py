"""Admins manage users end to end: create, role, departments, routing fields, deactivate."""

from __future__ import annotations

import re

import aiohttp
from bson import ObjectId

from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.integration.admin.helpers import Client, signed_in
from tests.support.agents import login, make_user


async def test_admin_creates_a_user_who_can_sign_in_and_sees_them_on_the_users_page(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    status, created = await admin.call("POST", "/api/v1/admin/users", {
        "email": "Neda@X.test", "name": "ندا رضایی", "password": "long enough pw", "role": "agent",
        "department_ids": [str(support["_id"])]})
    assert status == 201, created
    assert created["email"] == "neda@x.test" and created["department_ids"] == [str(support["_id"])]
    assert "password_hash" not in created and "password" not in created
    stored = await users.user_by_email(hub.db, "neda@x.test")
    assert stored is not None and stored["password_hash"].startswith("$argon2")
    await login(http2, base_url, "neda@x.test", "long enough pw")
    status, page = await admin.page("/admin/users")
    assert status == 200 and "ندا رضایی" in page and 'dir="auto"' in page


async def test_bad_user_input_gets_a_readable_400_and_creates_nobody(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    cases = [
        ({"email": "not-an-email", "name": "A", "password": "long enough pw"}, "email address"),
        ({"email": "a@x.test", "name": "A", "password": "short"}, "at least 10 characters"),
        ({"email": "a@x.test", "name": "A", "password": "long enough pw", "role": "boss"}, "role must be one of"),
        ({"email": "a@x.test", "name": "", "password": "long enough pw"}, "'name' is required"),
        ({"email": "a@x.test", "name": "A", "password": "long enough pw", "department_ids": ["nope"]},
         "no department"),
    ]
    for body, words in cases:
        status, answer = await admin.call("POST", "/api/v1/admin/users", body)
        assert status == 400 and words in answer["error"], (body, answer)
    status, answer = await admin.call("POST", "/api/v1/admin/users",
                                      {"email": "root@x.test", "name": "Again", "password": "long enough pw"})
    assert status == 409 and "already exists" in answer["error"]
    assert await users.user_by_email(hub.db, "a@x.test") is None


async def test_admin_changes_role_departments_and_routing_fields(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    sales = await users.ensure_department(hub.db, "Sales", utcnow())
    ana = await make_user(hub.db, "ana@x.test")
    status, changed = await admin.call("PATCH", f"/api/v1/admin/users/{ana['_id']}",
                                       {"role": "lead", "department_ids": [str(sales["_id"])]})
    assert status == 200, changed
    assert changed["role"] == "lead" and changed["department_ids"] == [str(sales["_id"])]
    status, agent = await admin.call("PUT", f"/api/v1/agents/{ana['_id']}",
                                     {"capacity": 3, "languages": ["fa", "en"], "skills": ["billing"]})
    assert status == 200, agent
    stored = await users.user(hub.db, ana["_id"])
    assert stored is not None and stored["capacity"] == 3 and stored["languages"] == ["en", "fa"]
    status, page = await admin.page("/admin/users")
    assert "billing" in page and "Sales" in page


async def test_deactivated_user_loses_session_and_api_token_and_cannot_sign_in(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    agent = await signed_in(hub, http2, base_url, "ana@x.test", role="agent")
    ana = await users.user_by_email(hub.db, "ana@x.test")
    assert ana is not None
    token = new_api_token()
    await users.create_api_token(hub.db, token_hash(token), ana["_id"], "script", utcnow())
    async with http2.get(f"{base_url}/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 200
    status, answer = await admin.call("POST", f"/api/v1/admin/users/{ana['_id']}/deactivate")
    assert status == 200 and answer["active"] is False
    status, _ = await agent.call("GET", "/api/v1/notifications")
    assert status == 401
    async with http2.get(f"{base_url}/api/v1/notifications", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 401
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as fresh:
        async with fresh.get(f"{base_url}/login") as r:
            page = await r.text()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page)
        assert csrf
        async with fresh.post(f"{base_url}/login", data={"email": "ana@x.test", "password": "correct horse battery",
                                                         "_csrf": csrf.group(1)}, allow_redirects=False) as r:
            assert r.status != 302
    stored = await users.user(hub.db, ana["_id"])
    assert stored is not None and stored["routable"] is False
    status, answer = await admin.call("POST", f"/api/v1/admin/users/{ana['_id']}/reactivate")
    assert status == 200 and answer["active"] is True
    await login(http2, base_url, "ana@x.test")


async def test_admin_cannot_deactivate_themselves_or_the_last_admin_or_drop_own_role(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    me = await users.user_by_email(hub.db, "root@x.test")
    assert me is not None
    status, answer = await admin.call("POST", f"/api/v1/admin/users/{me['_id']}/deactivate")
    assert status == 409 and "yourself" in answer["error"]
    status, answer = await admin.call("PATCH", f"/api/v1/admin/users/{me['_id']}", {"role": "agent"})
    assert status == 409 and "your own admin role" in answer["error"]
    other = await users.create_user(hub.db, "other@x.test", "Other", "x", "admin", [], me["created_at"])
    await hub.db["users"].update_one({"_id": me["_id"]}, {"$set": {"role": "admin"}})
    status, _ = await admin.call("POST", f"/api/v1/admin/users/{other['_id']}/deactivate")
    assert status == 200
    # Now root is the only active admin left: demoting root (by another admin) must be refused too.
    status, answer = await admin.call("PATCH", f"/api/v1/admin/users/{me['_id']}", {"role": "lead"})
    assert status == 409
    assert (await users.user(hub.db, me["_id"]) or {}).get("role") == "admin"
    assert isinstance(other["_id"], ObjectId)


async def test_agents_and_leads_cannot_use_user_admin(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    agent = await signed_in(hub, http, base_url, "ana@x.test", role="agent")
    lead = await signed_in(hub, http2, base_url, "lena@x.test", role="lead")
    for client in (agent, lead):
        status, _ = await client.call("POST", "/api/v1/admin/users",
                                      {"email": "z@x.test", "name": "Z", "password": "long enough pw"})
        assert status == 403
        status, _ = await client.page("/admin/users")
        assert status == 403
    status, _ = await agent.page("/admin/channels")
    assert status == 403
    status, _ = await lead.page("/admin/channels")
    assert status == 200
    assert isinstance(agent, Client)
    assert await users.user_by_email(hub.db, "z@x.test") is None
