"""In Chromium: the page regions hub.js re-renders from the server without a reload (they were htmx's):
"load earlier messages" pages back through a long timeline, and a lead's team page follows the agents'
load on its own clock. A failed API form shows the server's message and leaves its button usable."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bson import ObjectId
from playwright.async_api import Browser, expect

from hub import names as model
from hub.actions.conversations import assign
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.e2e.test_date_picker_in_browser import type_date
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.conversation.helpers import customer_writes
from tests.support.agents import make_user


async def five_messages(hub: Hub, minutes_ago: int) -> ObjectId:
    conversation = None
    for n in range(1, 6):
        conversation = await customer_writes(hub, f"message {n}", f"long-{n}")
    assert conversation is not None
    if minutes_ago:  # older than the catch-up margin: only "load earlier" can bring them
        async for m in hub.db[model.MESSAGES].find({"conversation_id": conversation["_id"]}):
            await hub.db[model.MESSAGES].update_one(
                {"_id": m["_id"]}, {"$set": {"created_at": m["created_at"] - timedelta(minutes=minutes_ago)},
                                    "$unset": {"updated_at": ""}})
    return ObjectId(conversation["_id"])


async def test_load_earlier_pages_back_through_the_timeline_until_the_first_message(
    hub: Hub, base_url: str, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("inbox_ui.conversation.TIMELINE_PAGE", 2)
    # Ana is online before the customer writes: had she come online after, routing would hand her the
    # waiting conversation then, and that "Assigned to Ana" event would be the newest entry on the page.
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)  # online means connected
    conversation_id = await five_messages(hub, minutes_ago=30)
    await open_conversation(page, base_url, conversation_id)
    bubbles = page.locator("#timeline .msg-in .text")
    await expect(bubbles).to_have_text(["message 4", "message 5"])

    await page.click("#timeline .load-earlier button")
    await expect(bubbles).to_have_text(["message 2", "message 3", "message 4", "message 5"])
    await page.click("#timeline .load-earlier button")
    await expect(bubbles).to_have_text([f"message {n}" for n in range(1, 6)])
    await expect(page.locator("#timeline .load-earlier")).to_have_count(0)


async def test_load_earlier_after_a_catch_up_brought_those_messages_shows_each_once(
    hub: Hub, base_url: str, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("inbox_ui.conversation.TIMELINE_PAGE", 2)
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")  # online first, as above
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    conversation_id = await five_messages(hub, minutes_ago=0)  # fresh: the catch-up on connecting brings all
    await open_conversation(page, base_url, conversation_id)
    bubbles = page.locator("#timeline .msg-in .text")
    await expect(page.locator("body[data-synced]")).to_have_count(1)
    await expect(bubbles).to_have_text([f"message {n}" for n in range(1, 6)])

    for _ in range(2):  # 4 and 5 were on the page: two more pages of two reach message 1
        await page.click("#timeline .load-earlier button")
        await expect(page.locator("#timeline .load-earlier button:disabled")).to_have_count(0)
    await expect(page.locator("#timeline .load-earlier")).to_have_count(0)
    await expect(bubbles).to_have_text([f"message {n}" for n in range(1, 6)])
    ids = await page.locator("#timeline > li").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))


async def test_scrolling_up_a_long_timeline_loads_the_earlier_pages_by_itself(
    hub: Hub, base_url: str, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("inbox_ui.conversation.TIMELINE_PAGE", 20)
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    conversation = await customer_writes(hub, "message 0", "long-0")
    start = utcnow() - timedelta(hours=2)
    await hub.db[model.MESSAGES].insert_many([
        {"conversation_id": conversation["_id"], "contact_id": conversation["contact_id"], "direction": "in",
         "kind": "message", "channel": "webchat", "text": f"message {n}", "created_at": start + timedelta(seconds=n)}
        for n in range(1, 60)])
    await hub.db[model.MESSAGES].update_one({"text": "message 0"}, {"$set": {"created_at": start}})
    await open_conversation(page, base_url, conversation["_id"])
    bubbles = page.locator("#timeline .msg-in .text")
    await expect(bubbles.first).not_to_have_text("message 0")
    while await page.locator("#timeline .load-earlier").count():  # the agent scrolls to the top, not the button
        before = await bubbles.count()
        await page.locator("#timeline").evaluate("t => { t.scrollTop = 0; }")
        await expect(bubbles).not_to_have_count(before)
        # What was read stays in view: the page before went in above it, out of sight.
        assert await page.locator("#timeline").evaluate("t => t.scrollTop") > 0
    await expect(page.locator("#timeline .load-earlier")).to_have_count(0)
    await expect(bubbles.first).to_have_text("message 0")
    texts = await bubbles.all_text_contents()
    assert texts == [f"message {n}" for n in range(60)]


async def test_team_page_shows_an_agents_new_load_without_a_reload(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, lead = await agent_page(browser, hub, base_url, "lead@x.test", "Lee", role="lead")
    _, _ana = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await lead.goto(f"{base_url}/inbox/team")
    row = lead.locator("#team-agents tr", has_text="Ana")
    await expect(row.locator("[data-load]")).to_have_text(re.compile(r"^0/"))
    await lead.evaluate("window.notReloaded = true")

    # Real load (the periodic repair of open_count would undo a count written by hand): the lead gives
    # Ana three conversations.
    lead_user = await users.user_by_email(hub.db, "lead@x.test")
    ana = await users.user_by_email(hub.db, "ana@x.test")
    assert lead_user is not None and ana is not None
    for n in range(3):
        conversation = await customer_writes(hub, f"Load {n}", f"load-{n}", visitor=f"v-load-{n}")
        await assign(hub, lead_user, conversation, ana, "")
    await expect(row.locator("[data-load]")).to_have_text(re.compile(r"^3/"), timeout=15_000)
    assert await lead.evaluate("window.notReloaded === true")


async def test_a_refused_form_shows_the_servers_reason_and_its_button_works_again(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    conversation = await customer_writes(hub, "Please call me back", "v-snooze")
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await open_conversation(page, base_url, conversation["_id"])
    snooze = page.locator("#snooze-form")
    await type_date(snooze.locator('[name="until"]'), "2001-01-01T09:00")  # in the past: refused
    await snooze.locator("button[type=submit]").click()
    await expect(snooze.locator(".form-error")).to_have_text("'until' is in the past; pick a later time")
    await expect(snooze.locator("button[type=submit]")).to_be_enabled()
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation["_id"]})
    assert stored is not None and stored["status"] != "snoozed"


async def test_a_click_that_spans_a_live_refresh_of_the_list_still_opens_the_conversation(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    # The list re-renders whenever something in it changes; a new row between mousedown and mouseup
    # would leave the two on different elements and the browser would make no click of them at all.
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    first = await customer_writes(hub, "first customer", "press-1")
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    link = page.locator(f'#conversation-list [data-conversation="{first["_id"]}"] a').first
    box = await link.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
    await page.mouse.down()
    async with page.expect_response(lambda r: "/inbox/list?" in r.url):
        await customer_writes(hub, "second customer", "press-2")  # a live event: the list refreshes
    await page.wait_for_timeout(300)  # the answer is in: without the hold it would have been swapped in
    await page.mouse.up()
    await expect(page).to_have_url(f"{base_url}/inbox/c/{first['_id']}?view=all")


async def test_snooze_until_tomorrow_morning_is_nine_oclock_in_the_agents_own_zone(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    conversation = await customer_writes(hub, "Call me tomorrow", "v-tomorrow")
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    await users.set_language(hub.db, ana["_id"], "fa", datetime.now(UTC))
    context = await browser.new_context(timezone_id="Asia/Tehran", locale="fa-IR",
                                        viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await sign_in(page, base_url, "ana@x.test")
    await open_conversation(page, base_url, conversation["_id"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "snooze-presets-fa.png"))
    await page.locator("#snooze-form [data-snooze=tomorrow]").click()
    tehran = ZoneInfo("Asia/Tehran")
    expected = datetime.combine(datetime.now(tehran).date() + timedelta(days=1), time(9), tehran).astimezone(UTC)
    for _ in range(50):
        stored = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation["_id"]})
        if stored and stored.get("status") == "snoozed":
            break
        await page.wait_for_timeout(100)
    assert stored is not None and stored["status"] == "snoozed"
    until = stored["snoozed_until"]
    assert until.replace(tzinfo=UTC) == expected.replace(tzinfo=UTC)
    await context.close()
