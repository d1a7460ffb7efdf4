"""The visitor socket refuses pages from sites the admin has not allowed; with no list, any site may embed."""

from __future__ import annotations

import aiohttp
import pytest

from channels.webchat.origins import BadOrigin, normal_origin, parse_origins
from hub.runtime import Hub
from hub.store import webchat_sites
from tests.support.agents import login, make_user


async def open_socket(http: aiohttp.ClientSession, base_url: str, origin: str) -> int:
    try:
        ws = await http.ws_connect(f"{base_url.replace('http', 'ws')}/webchat/ws", headers={"Origin": origin})
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status
    welcome = await ws.receive_json(timeout=10)
    await ws.close()
    assert welcome["type"] == "welcome"
    return 101


async def test_a_socket_from_a_foreign_origin_is_refused_once_sites_are_listed(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    assert await open_socket(http, base_url, "https://anyone.example") == 101  # no list: any site
    await webchat_sites.set_allowed_origins(hub.db, ["https://shop.example"])
    assert await open_socket(http, base_url, "https://evil.example") == 403
    assert await open_socket(http, base_url, "https://shop.example.evil.example") == 403
    assert await open_socket(http, base_url, "https://shop.example") == 101
    assert await open_socket(http, base_url, base_url) == 101  # the hub's own /chat page


async def test_an_admin_lists_the_allowed_sites_and_a_bad_address_is_explained(hub: Hub, base_url: str) -> None:
    await make_user(hub.db, "admin@x.test", role="admin")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        await admin_saves_origins(hub, base_url, http)


async def admin_saves_origins(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    csrf = await login(http, base_url, "admin@x.test")
    async with http.post(f"{base_url}/admin/webchat/origins",
                         data={"_csrf": csrf, "origins": "Shop.Example\nhttps://shop.example/"}) as r:
        assert r.status == 200, await r.text()
    assert await webchat_sites.allowed_origins(hub.db) == ["https://shop.example"]
    async with http.post(f"{base_url}/admin/webchat/origins",
                         data={"_csrf": csrf, "origins": "https://shop.example/checkout"}) as r:
        assert r.status == 400
        assert "must be only the scheme, host and port" in await r.text()
    assert await webchat_sites.allowed_origins(hub.db) == ["https://shop.example"]


def test_origins_are_written_as_browsers_send_them() -> None:
    assert normal_origin("HTTPS://Shop.Example:443/") == "https://shop.example"
    assert normal_origin("http://localhost:8080") == "http://localhost:8080"
    assert parse_origins("a.example, https://a.example\n\nb.example") == ["https://a.example", "https://b.example"]
    with pytest.raises(BadOrigin):
        normal_origin("ftp://x.example")
