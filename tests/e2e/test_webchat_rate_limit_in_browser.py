"""In a real browser: a message over the visitor's rate limit is shown as not sent, and sends again later."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hub import names as model
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path) -> Settings:
    return make_settings(mongo_url, tmp_path, visitor_burst=1, visitor_per_second=0.5)


async def test_a_message_over_the_limit_shows_as_not_sent_and_can_be_sent_again(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    for text in ("first", "second"):
        await page.fill(".hubchat-form textarea", text)
        await page.keyboard.press("Enter")
    failed = page.locator(".hubchat-msg.hubchat-failed")
    await expect(failed).to_have_count(1)
    await expect(failed.locator(".hubchat-text")).to_have_text("second")
    await expect(page.locator(".hubchat-status")).to_contain_text("too fast")
    assert await hub.db[model.MESSAGES].count_documents({"text": "second"}) == 0
    await page.wait_for_timeout(2100)  # one message per 2 s: the bucket has a token again
    await failed.locator(".hubchat-retry").click()
    await expect(page.locator(".hubchat-msg.hubchat-acked .hubchat-text")).to_have_text(["first", "second"])
