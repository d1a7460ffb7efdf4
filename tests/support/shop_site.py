"""A customer's web site for browser tests: another origin on loopback that serves pages a test writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

SHOPS: dict[str, web.Application] = {}
PAGES = web.AppKey("pages", dict[str, str])


@pytest.fixture(name="shop")
async def shop_site() -> AsyncIterator[str]:
    """A customer's site: another origin on loopback, serving the host pages this test writes."""
    async def page(request: web.Request) -> web.Response:
        return web.Response(text=request.app[PAGES].get(request.match_info["name"], ""), content_type="text/html")

    app = web.Application()
    app[PAGES] = {}
    app.router.add_get("/{name}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    SHOPS[f"http://127.0.0.1:{port}"] = app
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()

def serve(shop: str, name: str, html: str) -> str:
    """Put a page on the shop's site; -> its address."""
    SHOPS[shop][PAGES][name] = html
    return f"{shop}/{name}"
