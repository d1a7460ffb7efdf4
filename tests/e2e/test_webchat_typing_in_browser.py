"""In real browsers: typing shows both ways (the visitor in the agent's open conversation, the agent in the
widget) and goes away by itself; ticks turn to read both ways once the other side has seen the messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from hub.runtime import Hub
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.e2e.test_webchat_files_in_browser import hand_over, shop_page
from tests.support.agents import make_user
from tests.support.pictures import png
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def agent_opens_the_chat(browser: Browser, base_url: str) -> Page:
    agent = await (await browser.new_context()).new_page()
    await sign_in(agent, base_url, "agent@x.test")
    row = agent.locator("#conversation-list [data-conversation]")
    await expect(row).to_have_count(1, timeout=10_000)
    await row.locator("a").click()
    await expect(agent.locator("#composer textarea")).to_be_visible()
    return agent


async def visitor_asks(page: Page, url: str, text: str) -> None:
    await page.goto(url)
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-form textarea", text)
    await page.keyboard.press("Enter")
    await expect(page.locator(".hubchat-me .hubchat-tick")).to_have_text(["✓"])


async def test_typing_shows_both_ways_and_ticks_turn_to_read_both_ways(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    visitor = await (await browser.new_context()).new_page()
    await visitor_asks(visitor, f"{base_url}/chat", "Is the blue one in stock?")
    agent = await agent_opens_the_chat(browser, base_url)

    # The agent has seen it: the visitor's tick turns to ✓✓, read.
    tick = visitor.locator(".hubchat-me .hubchat-tick")
    await expect(tick).to_have_text(["✓✓"], timeout=10_000)
    await expect(tick).to_have_attribute("aria-label", "Read")

    await visitor.locator(".hubchat-form textarea").press_sequentially("and in size M")
    typing_visitor = agent.locator("#presence .viewer.typing.visitor")
    await expect(typing_visitor).to_have_text("✎ Customer is typing…", timeout=10_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await agent.screenshot(path=str(SHOTS / "inbox-visitor-typing.png"))
    await expect(typing_visitor).to_have_count(0, timeout=15_000)  # nothing more typed: it goes by itself
    assert await hub.db["messages"].count_documents({}) == await hub.db["messages"].count_documents(
        {"text": {"$ne": "and in size M"}})  # typing is never a message

    await agent.locator("#composer textarea").press_sequentially("Let me check")
    typing_agent = visitor.locator(".hubchat-typing")
    await expect(typing_agent).to_have_text("Sina Support is typing…", timeout=10_000)
    await expect(typing_agent).to_have_attribute("aria-live", "polite")
    await agent.click("#composer button[type=submit]")
    await expect(visitor.locator(".hubchat-agent .hubchat-text")).to_have_text(["Let me check"], timeout=10_000)
    await expect(typing_agent).to_be_hidden()  # the reply ends the agent's typing
    # The visitor has the chat open, so the reply is read: the agent sees it turn read without a reload.
    await expect(agent.locator("#timeline .msg-out.status-read")).to_have_count(1, timeout=10_000)


async def test_a_reply_reaching_a_closed_bubble_is_delivered_not_read_and_beeps_when_the_site_asks(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    html = shop_page(base_url).replace('async></script>', 'async data-sound="on"></script>')
    visitor = await (await browser.new_context()).new_page()
    await visitor_asks(visitor, serve(shop, "sound", html), "Hello?")
    await visitor.keyboard.press("Escape")
    agent = await agent_opens_the_chat(browser, base_url)
    await agent.fill("#composer textarea", "Hi!")
    await agent.click("#composer button[type=submit]")
    await expect(visitor.locator(".hubchat-badge")).to_have_text("1", timeout=10_000)
    await expect(visitor.locator(".hubchat")).to_have_attribute("data-beeps", "1")
    await expect(agent.locator("#timeline .msg-out.status-delivered")).to_have_count(1, timeout=10_000)
    await visitor.click(".hubchat-bubble")  # opened: now it is read
    await expect(agent.locator("#timeline .msg-out.status-read")).to_have_count(1, timeout=10_000)


async def test_without_the_sound_option_a_reply_to_the_closed_bubble_stays_silent(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    visitor = await (await browser.new_context()).new_page()
    await visitor_asks(visitor, f"{base_url}/chat", "Hello?")
    await visitor.keyboard.press("Escape")
    agent = await agent_opens_the_chat(browser, base_url)
    await agent.fill("#composer textarea", "Hi!")
    await agent.click("#composer button[type=submit]")
    await expect(visitor.locator(".hubchat-badge")).to_have_text("1")
    assert await visitor.locator(".hubchat").get_attribute("data-beeps") is None


@pytest.mark.parametrize("lang", ["en", "fa"])
async def test_screenshots_of_the_widget_with_a_file_and_the_agent_typing(
    hub: Hub, base_url: str, browser: Browser, shop: str, lang: str
) -> None:
    hub.settings.public_url = base_url
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    sizes: tuple[tuple[str, ViewportSize], ...] = (("desktop", {"width": 1280, "height": 800}),
                                                   ("phone", {"width": 390, "height": 780}))
    question = {"en": "Does this come in blue?", "fa": "این رنگ آبی هم دارد؟"}[lang]
    visitor = await (await browser.new_context(viewport=sizes[0][1])).new_page()
    await visitor_asks(visitor, serve(shop, f"shot-{lang}", shop_page(base_url, lang)), question)
    await hand_over(visitor, "drop", "photo.png", "image/png", png())
    await hand_over(visitor, "drop", "invoice-2291.pdf", "application/pdf", b"%PDF-1.4")
    await expect(visitor.locator(".hubchat-me.hubchat-acked")).to_have_count(3)
    agent = await agent_opens_the_chat(browser, base_url)
    # Seen by the agent: all three turn read, even if the two files were stored in the other order.
    await expect(visitor.locator(".hubchat-me .hubchat-tick")).to_have_text(["✓✓", "✓✓", "✓✓"], timeout=10_000)
    for device, viewport in sizes:
        await visitor.set_viewport_size(viewport)
        await agent.locator("#composer textarea").press_sequentially("Yes", delay=20)
        await expect(visitor.locator(".hubchat-typing")).to_be_visible(timeout=10_000)
        await visitor.screenshot(path=str(SHOTS / f"widget-live-{lang}-{device}.png"))
        await agent.fill("#composer textarea", "")
