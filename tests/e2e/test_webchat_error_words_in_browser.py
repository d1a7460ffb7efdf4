"""In a real browser: what the hub refuses is said in the visitor's language, from the refusal's code, never
as the hub's English sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, WebSocketRoute, expect

from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings
from tests.e2e.test_webchat_files_in_browser import shop_page
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, max_text_bytes=64, visitor_burst=1, visitor_per_second=0.5)


async def test_a_message_the_hub_refuses_as_too_long_is_explained_in_persian(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(serve(shop, "fa", shop_page(base_url, "fa")))
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-form textarea", "سلام " * 20)  # 200 bytes of UTF-8: over the hub's 64
    await page.keyboard.press("Enter")
    await expect(page.locator(".hubchat-status")).to_have_text(
        "این پیام خیلی طولانی است؛ کوتاهش کنید یا در چند پیام بفرستید.")
    failed = page.locator(".hubchat-msg.hubchat-failed .hubchat-retry")
    await expect(failed).to_have_text("ارسال نشد — دوباره بفرستید")
    await expect(failed).to_have_attribute("title", "این پیام خیلی طولانی است؛ کوتاهش کنید یا در چند پیام بفرستید.")
    assert await hub.db["messages"].count_documents({}) == 0


async def test_a_refusal_the_widget_does_not_know_gets_the_general_sentence_not_the_hubs_english(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    page = await (await browser.new_context()).new_page()

    def a_refusal_from_a_newer_hub(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            ws.send(message)
            if isinstance(message, str) and '"welcome"' in message:
                ws.send(json.dumps({"type": "error", "code": "something_new", "error": "An English sentence"}))

        server.on_message(from_server)
        ws.on_message(lambda message: server.send(message))

    await page.route_web_socket("**/webchat/ws*", a_refusal_from_a_newer_hub)
    await page.goto(serve(shop, "zh", shop_page(base_url, "zh")))
    await expect(page.locator(".hubchat-status")).to_have_text("出了点问题，请重试。")


async def test_sending_too_fast_says_how_long_to_wait_in_persian(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(serve(shop, "fa-fast", shop_page(base_url, "fa")))
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    for text in ("اول", "دوم"):
        await page.fill(".hubchat-form textarea", text)
        await page.keyboard.press("Enter")
    # One message per 2 s: the wait is said in Persian words and digits (whole seconds, rounded up).
    await expect(page.locator(".hubchat-status")).to_have_text(
        re.compile("^خیلی سریع پیام می‌فرستید؛ [۱۲] ثانیه دیگر دوباره تلاش کنید.$"))
