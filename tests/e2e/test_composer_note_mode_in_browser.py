"""In a real browser: a private note is a deliberate, visible mode that ends after sending, and a lone
"/" never goes to the customer."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import canned
from tests.e2e.test_conversation_page_in_browser import agent_page, open_conversation
from tests.integration.conversation.helpers import customer_writes


async def test_note_mode_is_visible_ends_after_sending_and_picking_a_channel_returns_to_reply(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    conversation = await customer_writes(hub, "Where is my parcel?", "n-1")
    lead = await hub.db[model.USERS].find_one({"email": "lead@x.test"})
    assert lead is not None
    await canned.create(hub.db, "track", "Tracking", "Your parcel is on its way.", lead["_id"], utcnow())
    await open_conversation(page, base_url, conversation["_id"])
    composer, textarea = page.locator("#composer"), page.locator("#composer textarea")
    send = page.locator("#composer [data-action=send]")
    await expect(send).to_have_text("Send")

    await page.keyboard.press("n")
    await expect(page.locator("#composer .note-banner")).to_be_visible()
    await expect(send).to_have_text("Add note")
    assert "Private note" in (await textarea.get_attribute("placeholder") or "")
    await textarea.press_sequentially("Checked the carrier, it is late")
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#timeline .msg-note .text")).to_have_text(["Checked the carrier, it is late"])
    # Sending the note ended note mode: the next thing typed is a reply, and it says so.
    await expect(composer).not_to_have_class(re.compile(r"\bis-note\b"))
    await expect(page.locator('#composer [name="note"]')).not_to_be_checked()
    await expect(send).to_have_text("Send")
    await expect(page.locator("#composer .note-banner")).to_be_hidden()

    # The reported trap: note, then a canned response, then a channel switch: that is a reply.
    await textarea.press("Escape")
    await page.keyboard.press("n")
    await textarea.press_sequentially("/tra")
    await expect(page.locator("#composer .suggest li")).to_have_text(["/track — Tracking"])
    await page.keyboard.press("Enter")
    await expect(textarea).to_have_value("Your parcel is on its way.")
    channel = page.locator('#composer [name="channel"]')
    await channel.select_option(index=0)
    await channel.dispatch_event("change")
    await expect(page.locator('#composer [name="note"]')).not_to_be_checked()
    await expect(send).to_have_text("Send")
    await send.click()
    await expect(page.locator("#timeline .msg-out .text")).to_have_text(["Your parcel is on its way."])
    reply = await hub.db[model.MESSAGES].find_one({"text": "Your parcel is on its way."})
    assert reply is not None and reply["direction"] == model.OUT


async def test_a_lone_slash_with_no_canned_responses_is_never_sent(hub: Hub, base_url: str, browser: Browser) -> None:
    _, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ari Agent")
    conversation = await customer_writes(hub, "Hi", "n-2")
    await open_conversation(page, base_url, conversation["_id"])
    textarea = page.locator("#composer textarea")
    await page.keyboard.press("/")
    await expect(textarea).to_have_value("/")
    await page.keyboard.press("Enter")
    await page.keyboard.press("Control+Enter")
    await page.locator("#composer [data-action=send]").click()
    await expect(page.locator("#composer .form-error")).to_contain_text("Nothing to send")
    assert await hub.db[model.MESSAGES].count_documents({"direction": {"$in": [model.OUT, model.NOTE]}}) == 0
