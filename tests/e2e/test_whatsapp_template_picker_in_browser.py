"""In a real browser, against the Twilio fake: a WhatsApp conversation past its 24-hour window offers the
account's approved templates (no id to type), previews the chosen one with the customer's name filled in,
and sends it as a template (ContentSid and ContentVariables). Screenshots kept."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import aiohttp
from playwright.async_api import Browser, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from tests.e2e.test_conversation_page_in_browser import agent_page, open_conversation
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.twilio.conftest import fake_twilio, settings, twilio_env  # noqa: F401 (fixtures)
from tests.integration.twilio.helpers import inbound_by_sid, webhook

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ORDER_UPDATE = "HX" + "1" * 32


async def _old_whatsapp_conversation(hub: Hub, base_url: str) -> object:
    params = fixture("whatsapp_inbound_with_profile_name.json")  # from "Mina Rahimi"
    async with aiohttp.ClientSession() as http:
        assert (await webhook(http, base_url, params))[0] == 200
    inbound = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    await hub.db[model.CONVERSATIONS].update_one(
        {"_id": inbound["conversation_id"]},
        {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(hours=30)}})
    return inbound["conversation_id"]


async def test_outside_the_window_the_composer_offers_templates_previews_them_and_sends_one(
    hub: Hub, base_url: str, browser: Browser, fake_twilio: FakeTwilio  # noqa: F811
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    conversation_id = await _old_whatsapp_conversation(hub, base_url)
    context, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ada Agent")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await open_conversation(page, base_url, conversation_id)

    picker = page.locator("#composer .template-fields")
    await expect(picker).to_be_visible()
    await expect(page.locator("#composer textarea")).to_be_hidden()  # no free text WhatsApp would refuse
    await expect(page.locator("#composer [data-action=end-template]")).to_be_hidden()
    await page.locator("body").press("r")  # "reply" lands where the reply is written now: the search
    await expect(page.locator("#composer .template-search")).to_be_focused()
    options = page.locator("#composer .template-list option")
    await expect(options).to_have_text(["appointment_reminder · en", "follow_up_fa · fa", "order_update · en",
                                        "reopen_conversation · en"])
    await page.locator("#composer .template-search").fill("ORDER")
    await expect(options).to_have_text(["order_update · en"])
    await page.locator("#composer .template-search").fill("")
    await page.locator("#composer .template-list").select_option(ORDER_UPDATE)

    preview = page.locator("#composer .template-preview")
    await expect(preview).to_have_text("Hi Mina, your order {{2}} will arrive on {{3}}.")
    inputs = page.locator("#composer .template-vars input")
    await expect(inputs).to_have_count(3)
    await expect(inputs.nth(0)).to_have_value("Mina")

    # Sending with a value missing is stopped in the page, with a sentence.
    await page.locator("#composer [data-action=send]").click()
    await expect(page.locator("#composer .form-error")).to_contain_text("fill in every value")
    assert fake_twilio.requests == []

    await inputs.nth(1).fill("A-77")
    await inputs.nth(2).fill("Friday")
    await expect(page.locator("#composer .form-error")).to_have_text("")  # the sentence goes once it is fixed
    await expect(preview).to_have_text("Hi Mina, your order A-77 will arrive on Friday.")
    await page.screenshot(path=str(SHOTS / "whatsapp-template-picker-1440.png"), full_page=True)
    await page.set_viewport_size({"width": 390, "height": 844})
    await picker.scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "whatsapp-template-picker-390.png"), full_page=False)

    await page.locator("#composer [data-action=send]").click()
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["ContentSid"] == ORDER_UPDATE
    assert json.loads(sent.form["ContentVariables"]) == {"1": "Mina", "2": "A-77", "3": "Friday"}
    assert "Body" not in sent.form
    await expect(page.locator("#timeline .msg-out .text")).to_have_text(
        ["Hi Mina, your order A-77 will arrive on Friday."])
    # The picker is ready for the next one, and the page asked Twilio for the list only once.
    await expect(page.locator("#composer .template-vars input")).to_have_count(0)
    assert len(fake_twilio.content_requests) == 1
    await context.close()


async def test_within_the_window_a_template_is_a_choice_and_free_text_stays(
    hub: Hub, base_url: str, browser: Browser, fake_twilio: FakeTwilio  # noqa: F811
) -> None:
    params = fixture("whatsapp_inbound_with_profile_name.json")
    async with aiohttp.ClientSession() as http:
        assert (await webhook(http, base_url, params))[0] == 200
    inbound = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    context, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ada Agent")
    await open_conversation(page, base_url, inbound["conversation_id"])
    await expect(page.locator("#composer .template-fields")).to_be_hidden()
    await expect(page.locator("#composer textarea")).to_be_visible()
    assert fake_twilio.content_requests == []  # nobody asked for templates: none were listed

    await page.locator("#composer [data-action=use-template]").click()
    await expect(page.locator("#composer .template-list option")).to_have_count(4)
    await page.locator("#composer [data-action=end-template]").click()
    await expect(page.locator("#composer .template-fields")).to_be_hidden()
    await page.locator("#composer textarea").fill("Yes, it ships today")
    await page.locator("#composer [data-action=send]").click()
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["Body"] == "Yes, it ships today"
    assert "ContentSid" not in sent.form  # the picker's hidden select sent nothing
    await context.close()
