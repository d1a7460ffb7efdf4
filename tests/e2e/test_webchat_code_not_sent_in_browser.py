"""In a real browser: when the code mail cannot leave (the mailbox's server does not answer), the
visitor is told so and can ask again; the chat does not just stop there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hub.settings import Settings
from tests.conftest import make_settings
from tests.support.servers import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    unanswered = {"host": "127.0.0.1", "port": free_port(), "security": "none", "timeout_seconds": 2}
    monkeypatch.setenv("EMAIL_MAILBOXES", json.dumps([{"address": "help@shop.test", "smtp": unanswered}]))
    return make_settings(mongo_url, tmp_path)


async def test_a_code_that_could_not_be_sent_offers_to_send_a_new_one(base_url: str, browser: Browser) -> None:
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-who input[name=email]", "ana@example.com")
    await page.click(".hubchat-who button")
    await expect(page.locator(".hubchat-code-note")).to_have_text(
        "The code could not be sent just now; please try again later.")
    resend = page.locator(".hubchat-code .hubchat-resend")
    await expect(resend).to_be_visible()
    await expect(resend).to_be_focused()
    await resend.click()  # asking again reaches the hub again (and fails the same way here)
    await expect(page.locator(".hubchat-code-note")).to_have_text(
        "The code could not be sent just now; please try again later.")
