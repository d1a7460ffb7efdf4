"""After signing in, `next` takes the browser to a path on this site and never to another one."""

from __future__ import annotations

import re

import aiohttp

from hub.runtime import Hub
from tests.integration.accounts.helpers import SignIn
from tests.support.agents import PASSWORD, make_user

ELSEWHERE = ["/\t/evil.example/", "/%09/evil.example/", "//evil.example", "/\\evil.example", "https://evil.example",
             " //evil.example", "/%2F%2Fevil.example", "/%5Cevil.example", "javascript:alert(1)", "evil.example"]


async def test_a_next_that_names_another_site_goes_home_instead(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    for value in ELSEWHERE:
        status, headers, body = await form.attempt("ana@x.test", PASSWORD, next_path=value)
        assert status == 302, body
        assert headers["Location"] == "/", (value, headers["Location"])


async def test_a_next_on_this_site_is_followed_after_signing_in(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    status, headers, _body = await SignIn(http, base_url).attempt("ana@x.test", PASSWORD,
                                                                  next_path="/inbox?view=mine&status=open")
    assert status == 302 and headers["Location"] == "/inbox?view=mine&status=open"


async def test_the_sign_in_page_carries_only_a_safe_next(hub: Hub, base_url: str) -> None:
    async with aiohttp.ClientSession() as bare:
        async with bare.get(f"{base_url}/login?next=/%09/evil.example/") as r:
            assert re.search(r'name="next" value="/"', await r.text())
        # Sent here from a page that needs a sign-in: the whole address (query too) comes back.
        async with bare.get(f"{base_url}/inbox?view=mine&status=open", allow_redirects=False) as r:
            assert r.status == 302
            assert r.headers["Location"].startswith("/login?next=")
        async with bare.get(f"{base_url}{r.headers['Location']}") as page:
            assert 'name="next" value="/inbox?view=mine&amp;status=open"' in await page.text()
