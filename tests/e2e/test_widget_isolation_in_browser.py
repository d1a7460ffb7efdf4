"""In Chromium: the website chat widget looks the same on any host page. It lives in a shadow root, so a
bare page, a Pico page, a Tailwind-like reset and a page of hostile global rules give its inputs and
buttons the same size, and the host page's own elements are the same with the widget as without it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from hub.runtime import Hub

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
PICO = (ROOT / "inbox_ui" / "static" / "vendor" / "pico.min.css").read_text()
TAILWIND_LIKE = """*,::before,::after{box-sizing:border-box;border-width:0;border-style:solid;border-color:#e5e7eb}
html{line-height:1.5;font-family:ui-sans-serif,system-ui}body{margin:0;line-height:inherit}
button,input,textarea{font-family:inherit;font-size:100%;line-height:inherit;color:inherit;margin:0;padding:0}
button{background-color:transparent;background-image:none}ol,ul{list-style:none;margin:0;padding:0}
textarea{resize:vertical}input::placeholder,textarea::placeholder{opacity:1;color:#9ca3af}"""
HOSTILE = """html{font-size:6px}*{letter-spacing:3px;line-height:4;font-family:serif;text-transform:uppercase}
button{width:100%;height:80px;display:block;background:red}li{list-style:decimal;margin:40px}
input,textarea{height:2px;width:10px;padding:30px;font-size:4px}form{display:grid}section{max-width:10px}
header{position:absolute;left:-999px}ol{padding-left:200px}div{border:5px solid lime}"""
PAGES = {"bare": "", "pico": PICO, "tailwind": TAILWIND_LIKE, "hostile": HOSTILE, "persian": ""}
# The host page measures its own elements, then embeds the widget the way a site does (one async script).
HOST = """<!doctype html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>Shop</title>
<style>{css}</style></head>
<body><main><h1>Our shop</h1><form id="search"><input id="q" name="q"><button id="go">Search</button></form>
<ul id="list"><li>One</li><li>Two</li></ul></main>
<script>
  function box(sel) {{ const r = document.querySelector(sel).getBoundingClientRect();
    const s = getComputedStyle(document.querySelector(sel)); return [r.width, r.height, s.fontSize, s.color]; }}
  window.measure = () => ["#q", "#go", "#list li", "h1"].map(box);
  window.before = window.measure();
  const s = document.createElement("script"); s.async = true; s.src = "{hub}/widget.js"; document.body.appendChild(s);
</script></body></html>"""


@pytest.fixture
async def host_site(base_url: str) -> AsyncIterator[str]:
    app = web.Application()
    for name, css in PAGES.items():
        rtl = name == "persian"
        html = HOST.format(css=css, hub=base_url, lang="fa" if rtl else "en", dir="rtl" if rtl else "ltr")

        async def page(_: web.Request, html: str = html) -> web.Response:
            return web.Response(text=html, content_type="text/html")

        app.router.add_get(f"/{name}", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def _widget_sizes(page: Page) -> list[list[object]]:
    sizes: list[list[object]] = await page.evaluate("""() => {
      const root = document.querySelector("hub-chat").shadowRoot;
      return [".hubchat-bubble", ".hubchat-panel", ".hubchat-form textarea", ".hubchat-form button",
              ".hubchat-who input[name=name]", ".hubchat-header"].map(sel => {
        const el = root.querySelector(sel), r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return [Math.round(r.width), Math.round(r.height), s.fontSize, s.letterSpacing, s.fontFamily];
      });
    }""")
    return sizes


async def test_the_widget_has_the_same_size_on_any_host_page_and_changes_nothing_outside_it(
    hub: Hub, base_url: str, browser: Browser, host_site: str
) -> None:
    sizes = {}
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in PAGES:
        page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
        await page.goto(f"{host_site}/{name}")
        await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await expect(page.locator(".hubchat-bubble")).to_be_visible()
        await page.click(".hubchat-bubble")
        await expect(page.locator(".hubchat-form textarea")).to_be_visible()
        sizes[name] = await _widget_sizes(page)
        direction = await page.locator(".hubchat").evaluate("e => getComputedStyle(e).direction")
        assert direction == ("rtl" if name == "persian" else "ltr"), name  # the page's direction
        assert await page.evaluate("window.measure()") == await page.evaluate("window.before"), name
        # No widget rule reaches the host page, and no host rule reaches into the widget.
        assert await page.locator(".hubchat-log").evaluate("e => getComputedStyle(e).listStyleType") == "none"
        await page.screenshot(path=str(SHOTS / f"widget-on-{name}-page.png"))
        await page.context.close()
    width, height = (float(str(v)) for v in sizes["bare"][2][:2])
    assert width > 150 and height >= 32, sizes["bare"][2]  # its designed size, not 15 px
    for name, measured in sizes.items():
        assert measured == sizes["bare"], name
