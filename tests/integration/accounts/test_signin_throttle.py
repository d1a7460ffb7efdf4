"""Failed sign-ins slow down the next ones, per account and per client address, and every wait ends."""

from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestServer

from hub import keys
from hub.access.signin_limits import DEVICE_COOKIE
from hub.runtime import Hub
from tests.integration.accounts.helpers import SignIn, imposed_wait, let_wait_pass, make_wait, record
from tests.support.agents import PASSWORD, make_user

ACCOUNT = "login:account:ana@x.test"
HERE = "login:address:127.0.0.1"


async def test_failures_beyond_the_free_ones_make_the_account_wait_longer_each_time_up_to_the_cap(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    waits = []
    for _ in range(7):
        status, _headers, page = await form.attempt("ana@x.test", "wrong password")
        assert status == 401 and "Wrong email or password." in page
        waits.append(await imposed_wait(hub, ACCOUNT))
        await let_wait_pass(hub, ACCOUNT)
        await let_wait_pass(hub, HERE)
    # 2 free failures, then 1, 2, 4 s ... capped at HUB_LOGIN_MAX_LOCK_SECONDS (8 s here).
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]


async def test_while_the_account_waits_even_the_right_password_gets_429_with_retry_after_then_the_wait_ends(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    await make_wait(hub, ACCOUNT, 90)
    status, headers, page = await form.attempt("ana@x.test", PASSWORD)
    assert status == 429
    assert 89 <= int(headers["Retry-After"]) <= 90
    assert "Too many failed sign-ins; try again in 2 minutes." in page and 'name="password"' in page
    assert "hub_session" not in headers.get("Set-Cookie", "")
    status, headers, answer = await form.attempt("ana@x.test", PASSWORD, as_json=True)
    assert status == 429 and headers["Retry-After"] and answer["retry_after"] >= 89
    assert answer["error"].startswith("Too many failed sign-ins; try again in")
    # A refused attempt is not counted: waiting it out is always enough.
    assert (await record(hub, ACCOUNT) or {})["failures"] == 100
    await let_wait_pass(hub, ACCOUNT)
    status, headers, _page = await form.attempt("ana@x.test", PASSWORD)
    assert status == 302 and headers["Location"] == "/inbox"
    assert await record(hub, ACCOUNT) is None  # a right sign-in forgets the account's failures


async def test_a_json_sign_in_is_throttled_the_same_way(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    for _ in range(3):
        status, _h, answer = await form.attempt("ana@x.test", "nope", as_json=True)
        assert status == 401 and answer["error"] == "Wrong email or password."
    assert await imposed_wait(hub, ACCOUNT) == 1.0
    await make_wait(hub, ACCOUNT, 20)  # the same wait, long enough not to race the next request
    status, headers, answer = await form.attempt("ana@x.test", PASSWORD, as_json=True)
    assert status == 429 and int(headers["Retry-After"]) >= 1 and answer["status"] == 429


async def test_many_accounts_tried_from_one_address_make_that_address_wait(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    for n in range(3):  # a different (unknown) account each time: only the address counter adds up
        status, _h, _p = await form.attempt(f"guess{n}@x.test", "wrong")
        assert status == 401
    assert await imposed_wait(hub, HERE) == 1.0
    await make_wait(hub, HERE, 30)
    status, _h, page = await form.attempt("ana@x.test", PASSWORD)
    assert status == 429 and "try again in 30 seconds" in page
    await let_wait_pass(hub, HERE)
    status, _h, _p = await form.attempt("ana@x.test", PASSWORD)
    assert status == 302
    # The address keeps its count after a right sign-in: an attacker's own account must not reset it.
    assert (await record(hub, HERE) or {}).get("failures") == 3


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    form = SignIn(http, base_url)
    for n in range(3):  # a new "address" in the header every time does not escape the count
        await form.attempt(f"guess{n}@x.test", "wrong", forwarded_for=f"198.51.100.{n}")
    assert (await record(hub, HERE) or {}).get("failures") == 3
    assert await record(hub, "login:address:198.51.100.0") is None


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    proxied_server: TestServer, http: aiohttp.ClientSession
) -> None:
    hub = proxied_server.app[keys.HUB]
    base = str(proxied_server.make_url("")).rstrip("/")
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base)
    for n in range(3):
        await form.attempt(f"guess{n}@x.test", "wrong", forwarded_for="198.51.100.7")
    assert (await record(hub, "login:address:198.51.100.7") or {}).get("failures") == 3
    assert await record(hub, HERE) is None
    await make_wait(hub, "login:address:198.51.100.7", 60)
    status, _h, _p = await form.attempt("ana@x.test", PASSWORD, forwarded_for="198.51.100.7")
    assert status == 429
    status, _h, _p = await form.attempt("ana@x.test", PASSWORD, forwarded_for="203.0.113.20")
    assert status == 302  # another client behind the same proxy is not held back


async def test_strangers_failing_on_an_account_do_not_lock_out_its_owner_on_a_known_browser(
    proxied_server: TestServer, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    hub = proxied_server.app[keys.HUB]
    base = str(proxied_server.make_url("")).rstrip("/")
    await make_user(hub.db, "ana@x.test")
    owner = SignIn(http2, base)
    status, _h, _p = await owner.attempt("ana@x.test", PASSWORD, forwarded_for="203.0.113.5")
    assert status == 302
    assert any(c.key == DEVICE_COOKIE for c in http2.cookie_jar)
    stranger = SignIn(http, base)
    for n in range(4):
        await stranger.attempt("ana@x.test", "guess", forwarded_for=f"198.51.100.{n}")
        await let_wait_pass(hub, ACCOUNT)
    await make_wait(hub, ACCOUNT, 600)  # as after a long campaign
    status, _h, _p = await stranger.attempt("ana@x.test", PASSWORD, forwarded_for="198.51.100.99")
    assert status == 429  # a browser that never signed in to ana@ waits, right password or not
    status, headers, _p = await owner.attempt("ana@x.test", PASSWORD, forwarded_for="203.0.113.5")
    assert status == 302 and headers["Location"] == "/inbox"
    assert await record(hub, ACCOUNT) is None


async def test_no_run_of_failures_locks_anyone_out_for_longer_than_the_cap(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    form = SignIn(http, base_url)
    for _ in range(12):
        await form.attempt("ana@x.test", "wrong")
        await let_wait_pass(hub, ACCOUNT)
        await let_wait_pass(hub, HERE)
    status, headers, _p = await form.attempt("ana@x.test", "wrong")
    assert status == 401
    status, headers, _p = await form.attempt("ana@x.test", PASSWORD)
    assert status == 429 and int(headers["Retry-After"]) <= hub.settings.login_max_lock_seconds
    assert await imposed_wait(hub, ACCOUNT) == hub.settings.login_max_lock_seconds


async def test_a_failed_sign_in_keeps_the_email_filled_in_and_never_the_password(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test")
    status, _headers, page = await SignIn(http, base_url).attempt("ana@x.test", "wrong password")
    assert status == 401 and 'value="ana@x.test"' in page and "wrong password" not in page
    status, _headers, page = await SignIn(http, base_url).attempt('"><script>x</script>', "wrong password")
    assert status == 401 and "<script>x" not in page and "&#34;&gt;&lt;script&gt;" in page
