"""In a real browser: the widget looks the same on any host page, whatever CSS that page carries, and the
page's own elements look the same with the widget as without it (Shadow DOM both ways)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hub.runtime import Hub
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

TAILWIND_LIKE = """*,::before,::after{box-sizing:border-box;border:0 solid #e5e7eb}html{line-height:1.5}
body{margin:0}button,input,textarea{font:inherit;color:inherit;margin:0;padding:0;background:transparent}
ol,ul{list-style:none;margin:0;padding:0}"""
HOSTILE = """button{width:100%!important;padding:40px} li{list-style:decimal;font-size:40px} input{height:2px}
textarea{height:2px;width:10px} *{line-height:4;letter-spacing:3px;color:red} html{font-size:40px}
div,section,form,header{display:block;padding:20px;border:5px solid lime} hub-chat{display:none}"""


def host_page(head: str, with_widget: bool, base_url: str) -> str:
    script = f'<script src="{base_url}/widget.js" async></script>' if with_widget else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">{head}</head><body>'
            '<h1 id="title">Shop</h1><ul id="list"><li>one</li><li>two</li></ul>'
            '<form><input id="field" name="q"><button id="go" type="button">Go</button></form>'
            f"{script}</body></html>")


HOSTS = {
    "bare": "",
    "pico": '<link rel="stylesheet" href="{base}/static/vendor/pico.min.css">',
    "tailwind": f"<style>{TAILWIND_LIKE}</style>",
    "hostile": f"<style>{HOSTILE}</style>",
}


async def open_host(page: Page, shop: str, base_url: str, name: str, with_widget: bool) -> None:
    key = f"{name}-{'with' if with_widget else 'without'}"
    await page.goto(serve(shop, key, host_page(HOSTS[name].replace("{base}", base_url), with_widget, base_url)))


async def host_elements(page: Page) -> dict[str, object]:
    return dict(await page.evaluate("""() => Object.fromEntries(['title', 'list', 'field', 'go'].map(id => {
        const el = document.getElementById(id), r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return [id, [r.width, r.height, s.fontSize, s.color, s.listStyleType, s.padding]];
    }))"""))


async def widget_sizes(page: Page) -> dict[str, object]:
    return dict(await page.evaluate("""() => {
        const root = document.querySelector('hub-chat').shadowRoot;
        const box = sel => { const r = root.querySelector(sel).getBoundingClientRect(); return [r.width, r.height]; };
        const msg = root.querySelector('.hubchat-log');
        return {textarea: box('.hubchat-form textarea'), send: box('.hubchat-form button[type=submit]'),
                name: box('.hubchat-who input[name=name]'), panel: box('.hubchat-panel'),
                log_list: getComputedStyle(msg).listStyleType,
                font: getComputedStyle(root.querySelector('.hubchat-form textarea')).fontSize};
    }"""))


async def test_the_widget_keeps_its_size_and_leaves_the_host_page_alone_on_four_kinds_of_page(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    designed: dict[str, object] | None = None
    for name in HOSTS:
        page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
        await open_host(page, shop, base_url, name, with_widget=False)
        without = await host_elements(page)

        await open_host(page, shop, base_url, name, with_widget=True)
        await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await expect(page.locator(".hubchat-bubble")).to_be_visible()
        await page.click(".hubchat-bubble")
        await expect(page.locator(".hubchat-form textarea")).to_be_visible()
        assert await host_elements(page) == without, f"the widget changed the {name} page's own elements"

        sizes = await widget_sizes(page)
        assert sizes["log_list"] == "none", f"messages are numbered on the {name} page"
        textarea = sizes["textarea"]
        assert isinstance(textarea, list) and textarea[1] > 30, f"the input shrank on the {name} page: {textarea}"
        if designed is None:
            designed = sizes
        assert sizes == designed, f"the widget looks different on the {name} page"
        await page.screenshot(path=str(SHOTS / f"widget-host-{name}.png"))
        await page.context.close()


async def test_the_embed_is_one_async_script_that_adds_one_element(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    page = await (await browser.new_context()).new_page()
    await open_host(page, shop, base_url, "bare", with_widget=True)
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    added = await page.evaluate("""() => ({
        hosts: document.querySelectorAll('hub-chat').length,
        outside: document.querySelectorAll('.hubchat, link[href*="widget.css"]').length,
        shadow: !!document.querySelector('hub-chat').shadowRoot })""")
    assert added == {"hosts": 1, "outside": 0, "shadow": True}
