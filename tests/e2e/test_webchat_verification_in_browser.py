"""In a real browser: a visitor proves their email with the mailed code (or the site signs them in),
and only then sees their earlier conversation."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, expect

from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import webchat_sites
from tests.conftest import make_settings
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.webchat.conftest import code_in, customer_with_history
from tests.support.agents import Visitor

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relay: FakeRelay) -> Settings:
    smtp = {"host": "127.0.0.1", "port": relay.port, "security": "none"}
    monkeypatch.setenv("EMAIL_MAILBOXES", json.dumps([{"address": "help@shop.test", "smtp": smtp}]))
    return make_settings(mongo_url, tmp_path)


async def test_a_visitor_sees_their_history_only_after_entering_the_mailed_code(
    hub: Hub, base_url: str, browser: Browser, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    earlier = Visitor(http, base_url)
    await customer_with_history(hub, earlier, "ana@example.com", "my earlier question")
    await earlier.close()

    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-who input[name=name]", "Ana")
    await page.fill(".hubchat-who input[name=email]", "ana@example.com")
    await page.click(".hubchat-who button")
    await expect(page.locator(".hubchat-code-note")).to_have_text(
        "We sent a code to ana@example.com. Enter it here to see your earlier messages.")
    await expect(page.locator(".hubchat-text")).to_have_count(0)  # the claim alone shows nothing
    code = code_in((await relay.wait_for(1))[0])

    await page.fill(".hubchat-code input", f"{(int(code) + 1) % 1_000_000:06d}")
    await page.click(".hubchat-code button[type=submit]")
    await expect(page.locator(".hubchat-code-note")).to_have_text("That code is not right (4 tries left).")
    await page.fill(".hubchat-code input", code)
    await page.click(".hubchat-code button[type=submit]")
    await expect(page.locator(".hubchat-text")).to_have_text(["my earlier question"])
    await expect(page.locator(".hubchat-code")).to_be_hidden()


async def test_a_visitor_the_site_signs_in_sees_their_history_at_once(
    hub: Hub, base_url: str, browser: Browser, http: aiohttp.ClientSession
) -> None:
    secret = await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), utcnow())
    earlier = Visitor(http, base_url)
    await customer_with_history(hub, earlier, "ana@example.com", "asked last week")
    await earlier.close()
    signature = hmac.new(secret.encode(), b"ana@example.com", hashlib.sha256).hexdigest()
    context = await browser.new_context()
    await context.add_init_script(
        f"window.hubChat = {{identifier: 'ana@example.com', identifierHash: '{signature}', name: 'Ana'}};")
    page = await context.new_page()
    await page.goto(f"{base_url}/chat")
    await page.click(".hubchat-bubble")
    await expect(page.locator(".hubchat-text")).to_have_text(["asked last week"])
    await expect(page.locator(".hubchat[data-verified='ana@example.com']")).to_have_count(1)
    await expect(page.locator(".hubchat-who")).to_be_hidden()
