"""In a real browser: an admin lists the sites allowed to embed the chat under Admin → Website chat."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from hub.runtime import Hub
from hub.store import webchat_sites
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.support.agents import make_user

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def test_an_admin_saves_the_allowed_sites_and_a_wrong_one_is_explained(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "boss@x.test", role="admin")
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, base_url, "boss@x.test")
    await page.goto(f"{base_url}/admin/webchat")
    await page.fill("#origins", "shop.example/checkout")
    await page.click("#allowed-sites button[type=submit]")
    await expect(page.locator("#origins-error")).to_contain_text("must be only the scheme, host and port")
    await expect(page.locator("#origins")).to_have_value("shop.example/checkout")
    await page.fill("#origins", "Shop.example\nhttp://localhost:8000")
    await page.click("#allowed-sites button[type=submit]")
    await expect(page.locator("#origins")).to_have_value("https://shop.example\nhttp://localhost:8000")
    assert await webchat_sites.allowed_origins(hub.db) == ["https://shop.example", "http://localhost:8000"]
    await page.screenshot(path=str(SHOTS / "admin-webchat-desktop.png"), full_page=True)
