"""In a real browser: the widget speaks the host page's language (or the browser's, or the one the embed
snippet names), right to left for Persian and Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, ViewportSize, expect

from hub.runtime import Hub
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def page_html(base_url: str, lang: str | None, script_attrs: str = "") -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return (f'<!doctype html><html{lang_attr}><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Shop</h1>'
            f'<script src="{base_url}/widget.js" async{script_attrs}></script></body></html>')


async def test_on_a_persian_page_the_widget_is_in_persian_and_right_to_left(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    sizes: tuple[tuple[str, ViewportSize], ...] = (("desktop", {"width": 1280, "height": 800}),
                                                   ("phone", {"width": 390, "height": 780}))
    for device, viewport in sizes:
        page = await (await browser.new_context(viewport=viewport, locale="en-US")).new_page()
        await page.goto(serve(shop, "fa", page_html(base_url, "fa")))
        await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await expect(page.locator(".hubchat")).to_have_attribute("dir", "rtl")
        await expect(page.locator(".hubchat-bubble")).to_have_text("گفتگو")
        await page.click(".hubchat-bubble")
        await expect(page.locator(".hubchat-title")).to_have_text("با ما گفتگو کنید")
        await expect(page.locator(".hubchat-form textarea")).to_have_attribute("placeholder", "پیام خود را بنویسید…")
        await expect(page.locator(".hubchat-form textarea")).to_have_attribute("aria-label", "پیام")
        # Right to left: the panel sits at the start (left) side and its send button is left of the input.
        panel = await page.locator(".hubchat-panel").bounding_box()
        send = await page.locator(".hubchat-form button[type=submit]").bounding_box()
        box = await page.locator(".hubchat-form textarea").bounding_box()
        assert panel and send and box
        assert panel["x"] < viewport["width"] / 2 - panel["width"] / 2 + 1
        assert send["x"] < box["x"]
        await page.fill(".hubchat-form textarea", "سلام، سفارشم کجاست؟")
        await page.keyboard.press("Enter")
        await expect(page.locator(".hubchat-text")).to_have_text(["سلام، سفارشم کجاست؟"])
        await page.screenshot(path=str(SHOTS / f"widget-fa-{device}.png"))
        await page.context.close()


async def test_the_snippet_can_choose_the_language_over_the_page(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(serve(shop, "vi", page_html(base_url, "fa", ' data-lang="vi"')))
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await expect(page.locator(".hubchat")).to_have_attribute("dir", "ltr")
    await expect(page.locator(".hubchat-bubble")).to_have_text("Trò chuyện")


async def test_a_page_without_lang_follows_the_browser_language(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    for locale, bubble, direction in (("zh-CN", "聊天", "ltr"), ("ar-EG", "دردشة", "rtl"), ("de-DE", "Chat", "ltr")):
        page = await (await browser.new_context(locale=locale)).new_page()
        await page.goto(serve(shop, f"none-{locale}", page_html(base_url, None)))
        await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await expect(page.locator(".hubchat-bubble")).to_have_text(bubble)
        await expect(page.locator(".hubchat")).to_have_attribute("dir", direction)
        await page.context.close()
