"""In a real browser: the visitor sees who answers and when, an unread count on the closed bubble, ticks on
their own messages, and a reconnect in the middle of a burst of replies loses and doubles nothing."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, ViewportSize, WebSocketRoute, expect

from hub.runtime import Hub
from tests.support.agents import login, make_user
from tests.support.polling import poll_until

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


class Agent:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, csrf: str) -> None:
        self.http, self.base_url, self.csrf = http, base_url, csrf

    async def reply(self, conversation_id: str, text: str) -> None:
        async with self.http.post(f"{self.base_url}/api/v1/conversations/{conversation_id}/messages",
                                  json={"text": text}, headers={"X-CSRF-Token": self.csrf}) as r:
            assert r.status == 201, await r.text()


async def visitor_asks(hub: Hub, page: Page, base_url: str, text: str) -> str:
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-form textarea", text)
    await page.keyboard.press("Enter")
    await expect(page.locator(".hubchat-me .hubchat-tick")).to_have_text("✓")  # stored by the hub
    conversation = await hub.db["conversations"].find_one({})
    assert conversation is not None
    return str(conversation["_id"])


async def test_a_reply_to_a_closed_chat_shows_a_badge_then_the_agents_name_initials_and_time(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "sina@x.test", name="Sina Support")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = Agent(http, base_url, await login(http, base_url, "sina@x.test"))
        page = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
        conversation = await visitor_asks(hub, page, base_url, "Where is my order?")
        await page.keyboard.press("Escape")
        await expect(page.locator(".hubchat-panel")).to_be_hidden()
        await expect(page.locator(".hubchat-bubble")).to_be_focused()

        await agent.reply(conversation, "It ships today.")
        await agent.reply(conversation, "Tracking follows by email.")
        await expect(page.locator(".hubchat-badge")).to_have_text("2")
        await expect(page.locator(".hubchat-badge")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "widget-badge-desktop.png"))

        await page.keyboard.press("Enter")  # the focused bubble opens the chat from the keyboard
        await expect(page.locator(".hubchat-panel")).to_be_visible()
        await expect(page.locator(".hubchat-badge")).to_be_hidden()
        await expect(page.locator(".hubchat-form textarea")).to_be_focused()
        replies = page.locator(".hubchat-agent")
        await expect(replies.locator(".hubchat-text")).to_have_text(["It ships today.", "Tracking follows by email."])
        await expect(replies.first.locator(".hubchat-name")).to_have_text("Sina Support")
        await expect(replies.first.locator(".hubchat-avatar")).to_have_text("SS")
        await expect(replies.first.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
        await expect(page.locator(".hubchat-log")).to_have_attribute("aria-live", "polite")
        await page.screenshot(path=str(SHOTS / "widget-conversation-desktop.png"))


async def test_a_reconnect_during_a_burst_of_replies_loses_and_doubles_nothing(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "sina@x.test", name="Sina Support")
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        agent = Agent(http, base_url, await login(http, base_url, "sina@x.test"))
        page = await (await browser.new_context()).new_page()
        conversation = await visitor_asks(hub, page, base_url, "Tell me everything")
        burst = [f"part {n}" for n in range(1, 16)]
        for n, text in enumerate(burst):
            if n == 5:
                await page.evaluate("window.__hubChat.reconnect()")
            if n == 10:
                await page.evaluate("window.__hubChat.reconnect()")
            await agent.reply(conversation, text)
        await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await expect(page.locator(".hubchat-agent .hubchat-text")).to_have_text(burst)
        await expect(page.locator(".hubchat-me .hubchat-text")).to_have_text(["Tell me everything"])


async def test_on_a_phone_the_open_chat_fills_the_screen(hub: Hub, base_url: str, browser: Browser) -> None:
    phone: ViewportSize = {"width": 390, "height": 780}
    page = await (await browser.new_context(viewport=phone, is_mobile=True, has_touch=True)).new_page()
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    box = await page.locator(".hubchat-panel").bounding_box()
    assert box is not None and (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 780)
    await page.screenshot(path=str(SHOTS / "widget-phone-en.png"))
    await page.click(".hubchat-close")
    await expect(page.locator(".hubchat-panel")).to_be_hidden()
    await expect(page.locator(".hubchat-bubble")).to_be_visible()


async def test_a_message_whose_ack_was_lost_to_a_disconnect_shows_once_as_stored(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    page = await (await browser.new_context()).new_page()
    dropped: list[str] = []

    def lose_the_first_ack(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            if isinstance(message, str) and '"ack"' in message and not dropped:
                dropped.append(message)  # the message is stored, but the widget never hears so
                return
            ws.send(message)

        server.on_message(from_server)
        ws.on_message(lambda message: server.send(message))

    await page.route_web_socket("**/webchat/ws*", lose_the_first_ack)
    await page.goto(f"{base_url}/chat")
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")
    await page.fill(".hubchat-form textarea", "Only once, please")
    await page.keyboard.press("Enter")
    async def ack_dropped() -> bool | None:
        return True if dropped else None

    await poll_until(ack_dropped, "the hub storing the message")
    await page.evaluate("window.__hubChat.reconnect()")  # the network blips before the ack arrives
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await expect(page.locator(".hubchat-me .hubchat-tick")).to_have_text(["✓"])
    await expect(page.locator(".hubchat-me .hubchat-text")).to_have_text(["Only once, please"])
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 1
