"""The interface speaks the user's language: the choice on their profile, else what the browser asks
(Accept-Language), else English; every page says which in <html lang dir>. Over the hub's real server."""

from __future__ import annotations

import asyncio
import re

import aiohttp

from hub.runtime import Hub
from hub.store import users
from tests.support.agents import login, make_user

SIGN_IN = {"en": "Sign in", "fa": "ورود", "ar": "تسجيل الدخول", "zh": "登录", "vi": "Đăng nhập"}
HTML_TAG = {"en": '<html lang="en" dir="ltr">', "fa": '<html lang="fa" dir="rtl">', "ar": '<html lang="ar" dir="rtl">',
            "zh": '<html lang="zh-Hans" dir="ltr">', "vi": '<html lang="vi" dir="ltr">'}


async def _page(http: aiohttp.ClientSession, url: str, accept_language: str | None = None) -> tuple[int, str]:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    async with http.get(url, headers=headers) as r:
        return r.status, await r.text()


async def _choose(http: aiohttp.ClientSession, base: str, csrf: str, language: str) -> aiohttp.ClientResponse:
    async with http.post(f"{base}/profile/language", data={"language": language, "_csrf": csrf},
                         allow_redirects=False) as r:
        await r.read()
        return r


async def test_the_sign_in_page_follows_accept_language_with_its_q_values(
        base_url: str, http: aiohttp.ClientSession) -> None:
    cases = {"fa-IR,fa;q=0.9,en;q=0.5": "fa", "ar-SA": "ar", "zh-CN,zh;q=0.9": "zh", "zh-Hans": "zh",
             "vi-VN": "vi", "en;q=0.4, vi;q=0.6": "vi", "de-DE, fr;q=0.8": "en", "": "en"}
    for header, code in cases.items():
        status, html = await _page(http, f"{base_url}/login", header or None)
        assert status == 200
        assert HTML_TAG[code] in html, header
        assert f">{SIGN_IN[code]}</button>" in html, header


async def test_a_choice_on_the_profile_wins_over_the_browser_and_can_be_given_back_to_it(
        hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    user = await make_user(hub.db, "mai@x.test")
    csrf = await login(http, base_url, "mai@x.test")
    _, html = await _page(http, f"{base_url}/profile", "fa-IR")
    assert HTML_TAG["fa"] in html and "زبان رابط کاربری" in html
    assert '<option value="vi" lang="vi" dir="ltr">Tiếng Việt</option>' in html  # each in its own name

    answer = await _choose(http, base_url, csrf, "vi")
    assert answer.status == 303 and answer.headers["Location"] == "/profile"
    stored = await users.user(hub.db, user["_id"])
    assert stored is not None and stored["language"] == "vi"
    _, html = await _page(http, f"{base_url}/inbox", "fa-IR")
    assert HTML_TAG["vi"] in html and "Hộp thư" in html and "صندوق ورودی" not in html
    _, html = await _page(http, f"{base_url}/profile", "fa-IR")
    assert '<option value="vi" lang="vi" dir="ltr" selected>' in html

    answer = await _choose(http, base_url, csrf, "")  # "as my browser asks"
    assert answer.status == 303
    stored = await users.user(hub.db, user["_id"])
    assert stored is not None and "language" not in stored
    _, html = await _page(http, f"{base_url}/inbox", "fa-IR")
    assert HTML_TAG["fa"] in html


async def test_the_language_api_takes_json_and_refuses_a_language_it_does_not_have(
        hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "li@x.test")
    csrf = await login(http, base_url, "li@x.test")
    headers = {"X-CSRF-Token": csrf, "Accept": "application/json"}
    async with http.post(f"{base_url}/profile/language", json={"language": "zh"}, headers=headers) as r:
        assert r.status == 200 and await r.json() == {"language": "zh"}
    async with http.post(f"{base_url}/profile/language", json={"language": "klingon"}, headers=headers) as r:
        body = await r.json()
        assert r.status == 400
        assert body["field"] == "language"
        assert body["error"] == "language must be one of en, fa, ar, zh, vi, or empty to follow the browser"
    _, html = await _page(http, f"{base_url}/inbox")
    assert HTML_TAG["zh"] in html and "收件箱" in html


async def test_every_kind_of_page_carries_lang_and_dir(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "admin@x.test", role="admin")
    await login(http, base_url, "admin@x.test")
    for path in ("/inbox", "/admin/users", "/admin/departments", "/profile", "/inbox/contacts", "/no/such/page"):
        status, html = await _page(http, f"{base_url}{path}", "ar")
        assert HTML_TAG["ar"] in html, path
        if status == 200:
            assert "تسجيل الخروج" in html, path  # "Sign out", in the chrome of every page
        else:
            assert status == 404


async def test_pages_drawn_at_once_in_persian_and_english_never_mix(
        hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession) -> None:
    for email, language in (("pari@x.test", "fa"), ("eve@x.test", "en")):
        user = await make_user(hub.db, email, role="admin")
        await users.set_language(hub.db, user["_id"], language, user["created_at"])
    await login(http, base_url, "pari@x.test")
    await login(http2, base_url, "eve@x.test")
    paths = ["/inbox", "/admin/users", "/profile", "/inbox/contacts"] * 6
    pages = await asyncio.gather(*[_page(session, f"{base_url}{path}")
                                   for path in paths for session in (http, http2)])
    for index, (status, html) in enumerate(pages):
        assert status == 200
        persian = index % 2 == 0
        assert (HTML_TAG["fa"] in html) is persian
        assert (HTML_TAG["en"] in html) is not persian
        assert ("خروج" in html) is persian  # "Sign out"
        assert (">Sign out</button>" in html) is not persian
        assert not re.search(r">(Inbox|Admin|Users)<", html) if persian else True
