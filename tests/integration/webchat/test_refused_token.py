"""A visitor token the hub refuses reaches a browser as a close code it can read, so the widget drops only
a refused token and keeps its chat through any other disconnect."""

from __future__ import annotations

import aiohttp
from aiohttp import WSMsgType

from hub import webchat_visitor as views
from hub.runtime import Hub


async def test_a_refused_token_closes_the_socket_with_its_own_code(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ws = await http.ws_connect(f"{base_url.replace('http', 'ws')}/webchat/ws?token=v1.someone.1.forged")
    frame = await ws.receive_json(timeout=10)
    assert frame["code"] == "bad_token" and "signature" in frame["error"]
    closing = await ws.receive(timeout=10)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED)
    assert ws.close_code == views.BAD_TOKEN_CLOSE


async def test_a_plain_request_with_a_refused_token_is_told_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{base_url}/webchat/ws?token=v1.someone.1.forged") as r:
        assert r.status == 403
        assert "start a new chat" in (await r.json())["error"]
