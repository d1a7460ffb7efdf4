"""A user changes their own password; an admin resets one (UI form, API, `hub set-password`).
Either way the other ways in end: sessions (all but the one it was changed from) and API tokens."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import aiohttp

from hub.access.auth import new_api_token, token_hash
from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import users
from hub.store.db import Doc
from tests.integration.accounts.helpers import SignIn, make_wait
from tests.integration.admin.helpers import signed_in
from tests.support.agents import PASSWORD, login, make_user

NEW = "a brand new passphrase"
VENV_BIN = Path(sys.executable).parent


async def _token_for(hub: Hub, user: Doc) -> str:
    token = new_api_token()
    await users.create_api_token(hub.db, token_hash(token), user["_id"], "test", utcnow())
    return token


async def _token_works(base: str, token: str) -> bool:
    async with aiohttp.ClientSession() as bare, bare.get(f"{base}/api/v1/conversations",
                                                         headers={"Authorization": f"Bearer {token}"}) as r:
        return r.status == 200


async def _signed_in(http: aiohttp.ClientSession, base: str) -> bool:
    async with http.get(f"{base}/inbox", allow_redirects=False) as r:
        return r.status == 200


async def _can_sign_in(base: str, email: str, password: str) -> bool:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as fresh:
        status, _h, _b = await SignIn(fresh, base).attempt(email, password)
        return status == 302


async def _change(http: aiohttp.ClientSession, base: str, csrf: str, current: str, new: str,
                  again: str | None = None) -> tuple[int, str]:
    form = {"_csrf": csrf, "current_password": current, "new_password": new, "new_password_again": again or new}
    async with http.post(f"{base}/profile/password", data=form) as r:
        return r.status, await r.text()


async def test_changing_my_password_keeps_this_session_and_ends_the_others_and_my_tokens(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test")
    csrf = await login(http, base_url, "ana@x.test")
    await login(http2, base_url, "ana@x.test")  # Ana on her phone too
    token = await _token_for(hub, ana)
    assert await _token_works(base_url, token)
    async with http.get(f"{base_url}/inbox") as r:
        assert 'href="/profile"' in await r.text()  # reachable from the header of every page
    async with http.get(f"{base_url}/profile") as r:
        assert r.status == 200 and "Change my password" in await r.text()

    status, page = await _change(http, base_url, csrf, PASSWORD, NEW)
    assert status == 200 and "Password changed." in page
    assert await _signed_in(http, base_url)
    assert not await _signed_in(http2, base_url)
    assert not await _token_works(base_url, token)
    assert not await _can_sign_in(base_url, "ana@x.test", PASSWORD)
    assert await _can_sign_in(base_url, "ana@x.test", NEW)


async def test_a_password_change_needs_the_current_password_a_long_enough_new_one_and_the_form_token(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    csrf = await login(http, base_url, "ana@x.test")
    await login(http2, base_url, "ana@x.test")
    cases = [
        (("wrong current pw", NEW, None), 400, "The current password is not right"),
        ((PASSWORD, "short", None), 400, "at least 10 characters"),
        ((PASSWORD, NEW, "something else entirely"), 400, "are not the same"),
        ((PASSWORD, PASSWORD, None), 400, "the same as the current one"),
    ]
    for (current, new, again), want_status, words in cases:
        status, page = await _change(http, base_url, csrf, current, new, again)
        assert status == want_status and words in page, (current, new, page[-500:])
    status, _page = await _change(http, base_url, "forged", PASSWORD, NEW)
    assert status == 403
    async with http.post(f"{base_url}/profile/password", json={"current_password": "nope", "new_password": NEW},
                         headers={"X-CSRF-Token": csrf, "Accept": "application/json"}) as r:
        assert r.status == 400 and (await r.json())["error"] == "the current password is not right"
    assert await _signed_in(http2, base_url)  # nothing changed, so nobody was signed out
    assert await _can_sign_in(base_url, "ana@x.test", PASSWORD)


async def test_guessing_the_current_password_from_a_session_is_slowed_down_too(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test")
    csrf = await login(http, base_url, "ana@x.test")
    await make_wait(hub, f"password-change:{ana['_id']}", 120)
    form = {"_csrf": csrf, "current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    async with http.post(f"{base_url}/profile/password", data=form) as r:
        assert r.status == 429 and int(r.headers["Retry-After"]) >= 119
        assert "try again in 2 minutes" in await r.text()
    assert await _can_sign_in(base_url, "ana@x.test", PASSWORD)


async def test_wrong_current_passwords_are_free_only_as_many_times_as_the_sign_in_setting_says(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    # HUB_LOGIN_FREE_ATTEMPTS is 2 here (it once was a hard-coded 5 for this form): the third wrong
    # one starts a wait, capped by HUB_LOGIN_MAX_LOCK_SECONDS (8 s here).
    ana = await make_user(hub.db, "ana@x.test")
    csrf = await login(http, base_url, "ana@x.test")
    for _ in range(2):
        assert (await _change(http, base_url, csrf, "wrong current pw", NEW))[0] == 400
    record = await hub.db["throttles"].find_one({"_id": f"password-change:{ana['_id']}"})
    assert record is not None and "wait_until" not in record
    assert (await _change(http, base_url, csrf, "wrong current pw", NEW))[0] == 400
    record = await hub.db["throttles"].find_one({"_id": f"password-change:{ana['_id']}"})
    assert record is not None and "wait_until" in record
    assert 0 < (record["wait_until"] - record["last_at"]).total_seconds() <= 8


async def test_admin_resets_a_password_through_the_api_and_the_user_is_signed_out_everywhere(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    ana = await make_user(hub.db, "ana@x.test")
    ana_csrf = await login(http2, base_url, "ana@x.test")
    token = await _token_for(hub, ana)
    await make_wait(hub, "login:account:ana@x.test", 600)  # she had tried and tried before asking
    status, answer = await admin.call("POST", f"/api/v1/admin/users/{ana['_id']}/password", {"password": "short"})
    assert status == 400 and "at least 10 characters" in answer["error"]
    assert await _signed_in(http2, base_url)

    status, answer = await admin.call("POST", f"/api/v1/admin/users/{ana['_id']}/password", {"password": NEW})
    assert status == 200 and answer["signed_out"] is True and "password_hash" not in answer
    assert not await _signed_in(http2, base_url)
    assert not await _token_works(base_url, token)
    assert await _can_sign_in(base_url, "ana@x.test", NEW)  # her sign-in wait was lifted too
    assert await _signed_in(http, base_url)  # the admin's own session is untouched

    # Only admins reset passwords.
    await login(http2, base_url, "ana@x.test", NEW)
    async with http2.get(f"{base_url}/inbox") as r:
        ana_csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', await r.text()).group(1)  # type: ignore[union-attr]
    root = await users.user_by_email(hub.db, "root@x.test")
    assert root is not None
    async with http2.post(f"{base_url}/api/v1/admin/users/{root['_id']}/password", json={"password": NEW},
                          headers={"X-CSRF-Token": ana_csrf}) as r:
        assert r.status == 403


async def test_the_admin_users_page_offers_a_password_reset_for_each_user(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    ana = await make_user(hub.db, "ana@x.test")
    status, page = await admin.page("/admin/users")
    assert status == 200
    assert f'action="/api/v1/admin/users/{ana["_id"]}/password"' in page and "Reset password" in page


async def _cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    import os

    env = {**os.environ, "HUB_MONGO_URL": settings.mongo_url, "HUB_DB_NAME": settings.db_name}
    process = await asyncio.create_subprocess_exec(str(VENV_BIN / "hub"), "set-password", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_hub_set_password_resets_a_password_and_signs_the_user_out(
    hub: Hub, settings: Settings, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await make_user(hub.db, "ana@x.test")
    await login(http, base_url, "ana@x.test")
    token = await _token_for(hub, ana)

    code, _out, err = await _cli(settings, "--email", "nobody@x.test", "--password", NEW)
    assert code == 1 and "no user with email nobody@x.test" in err
    code, _out, err = await _cli(settings, "--email", "ana@x.test", "--password", "short")
    assert code == 2 and "at least 10 characters" in err
    assert await _signed_in(http, base_url)

    code, out, err = await _cli(settings, "--email", "Ana@X.test", "--password", NEW)
    assert code == 0, err
    assert "password set for ana@x.test" in out
    assert not await _signed_in(http, base_url)
    assert not await _token_works(base_url, token)
    assert await _can_sign_in(base_url, "ana@x.test", NEW)
    assert not await _can_sign_in(base_url, "ana@x.test", PASSWORD)
