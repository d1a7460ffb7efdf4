"""In real browsers: a visitor chats on the website, an agent answers from the inbox, both live."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from hub.runtime import Hub
from tests.support.agents import PASSWORD, make_user

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def sign_in(page: Page, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.fill('input[name="email"]', email)
    await page.fill('input[name="password"]', PASSWORD)
    await page.click('button[type="submit"]')
    await expect(page).to_have_url(f"{base_url}/inbox")


async def test_visitor_and_agent_talk_live_in_two_browsers(hub: Hub, base_url: str, browser: Browser) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    agent = await (await browser.new_context()).new_page()
    await sign_in(agent, base_url, "agent@x.test")
    await expect(agent.locator("body[data-live=connected]")).to_have_count(1)

    visitor = await (await browser.new_context()).new_page()
    await visitor.goto(f"{base_url}/chat")
    await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await visitor.click(".hubchat-bubble")
    await visitor.fill(".hubchat-form textarea", "مرحبا، أين طلبي؟")
    await visitor.keyboard.press("Enter")

    # The new conversation appears in the agent's list without a reload.
    row = agent.locator("#conversation-list [data-conversation]")
    await expect(row).to_have_count(1, timeout=10_000)
    await expect(row.locator(".preview")).to_have_text("مرحبا، أين طلبي؟")
    await row.locator("a").click()
    incoming = agent.locator("#timeline .msg-in .text")
    await expect(incoming).to_have_text("مرحبا، أين طلبي؟")
    assert await incoming.get_attribute("dir") == "auto"

    await agent.fill("#composer textarea", "Your order ships today 📦")
    await agent.click("#composer button[type=submit]")
    await expect(agent.locator("#timeline .msg-out .text")).to_have_text("Your order ships today 📦")
    await expect(visitor.locator(".hubchat-agent .hubchat-text")).to_have_text("Your order ships today 📦",
                                                                               timeout=10_000)
    # Delivered to the visitor's socket and, as their chat is open, read: the agent's tick turns without a reload
    # (a closed chat stays at delivered: tests/e2e/test_webchat_typing_in_browser.py).
    await expect(agent.locator("#timeline .msg-out.status-read")).to_have_count(1, timeout=10_000)

    # A reload of the visitor's page keeps the conversation.
    await visitor.reload()
    await visitor.click(".hubchat-bubble")
    await expect(visitor.locator(".hubchat-text")).to_have_text(["مرحبا، أين طلبي؟", "Your order ships today 📦"])

    # Routing gave the conversation to the only agent online with the inbox open: no "Assign to me" needed.
    await expect(agent.locator(".conv-header .assignee")).to_have_text("Sina Support")
    await expect(agent.locator("[data-action=assign-me]")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await agent.screenshot(path=str(SHOTS / "inbox-conversation.png"), full_page=True)
    await visitor.screenshot(path=str(SHOTS / "visitor-widget.png"))
