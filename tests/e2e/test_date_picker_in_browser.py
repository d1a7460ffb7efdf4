"""In Chromium: every date field is the hub's own picker, in the viewer's language and calendar. A Persian
agent in Tehran snoozes on a Solar Hijri month grid with Persian digits, weeks starting on Saturday, the time
chosen on a 24-hour clock, and the stored moment is that local time in UTC; an Arabic grid is mirrored and
its arrow keys follow the reading direction; an English lead picks a report's first day; a snooze with no
time opens the picker and stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Locator, Page, expect

from hub import names as model
from hub.runtime import Hub
from hub.store import users
from hub.store.documents import Conversation
from tests.e2e.test_conversation_page_in_browser import SHOTS, open_conversation
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.conversation.helpers import customer_writes
from tests.support.agents import make_user

LATIN_DIGIT = re.compile(r"[0-9]")
PERSIAN_DIGIT = re.compile(r"[۰-۹]")


async def type_date(field: Locator, value: str) -> None:
    """Set a picker's value as a script would (a time the picker itself will not offer, such as the past)."""
    await field.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }", value)


async def _agent(browser: Browser, hub: Hub, base_url: str, language: str, zone: str) -> Page:
    ana = await make_user(hub.db, "ana@x.test", role="lead", name="Ana")
    await users.set_language(hub.db, ana["_id"], language, datetime.now(UTC))
    context = await browser.new_context(timezone_id=zone, viewport={"width": 1280, "height": 860})
    page = await context.new_page()
    await sign_in(page, base_url, "ana@x.test")
    return page


async def _snooze_grid(hub: Hub, base_url: str, browser: Browser, language: str, zone: str
                       ) -> tuple[Page, Conversation, Locator]:
    """A conversation open for an agent of that language and zone, its snooze picker open."""
    conversation = await customer_writes(hub, "فردا تماس بگیرید", f"v-grid-{language}")
    page = await _agent(browser, hub, base_url, language, zone)
    await open_conversation(page, base_url, conversation["_id"])
    await page.locator("#snooze-form .datepick-button").click()
    grid = page.locator("#snooze-form .datepick")
    await expect(grid).to_be_visible()
    return page, conversation, grid


async def _snoozed_until(hub: Hub, conversation_id: object, page: Page) -> datetime:
    for _ in range(50):
        stored = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation_id})
        if stored and stored.get("status") == "snoozed":
            return stored["snoozed_until"].replace(tzinfo=UTC)  # type: ignore[no-any-return]
        await page.wait_for_timeout(100)
    raise AssertionError("the conversation was not snoozed")


async def test_a_persian_agent_snoozes_on_a_solar_hijri_grid_and_the_moment_is_tehran_time(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    page, conversation, grid = await _snooze_grid(hub, base_url, browser, "fa", "Asia/Tehran")
    form = page.locator("#snooze-form")
    title = await grid.locator(".datepick-title").inner_text()
    assert PERSIAN_DIGIT.search(title) and not LATIN_DIGIT.search(title), title
    assert "۱۴۰" in title, title  # the Solar Hijri year (1405 in 2026), not 2026
    assert await grid.locator("th").first.get_attribute("title") == "شنبه"  # a Persian week starts on Saturday
    days = await grid.locator(".datepick-day").all_inner_texts()
    assert all(PERSIAN_DIGIT.search(d) and not LATIN_DIGIT.search(d) for d in days), days
    assert len(days) in (29, 30, 31)
    assert await grid.locator(".datepick-day[aria-current=date]").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "date-picker-fa.png"))

    # Keyboard: today has focus; the next day is one arrow away (on the left, in a right-to-left grid).
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("Enter")
    selects = grid.locator(".datepick-time select")
    await selects.nth(0).select_option("9")
    await selects.nth(1).select_option("30")
    await grid.locator("[data-done]").click()
    await expect(grid).to_be_hidden()
    shown = await form.locator(".datepick-button").inner_text()
    assert PERSIAN_DIGIT.search(shown) and not LATIN_DIGIT.search(shown), shown
    await form.locator("button[type=submit]").click()

    tehran = ZoneInfo("Asia/Tehran")
    expected = datetime.combine(datetime.now(tehran).date() + timedelta(days=1), time(9, 30), tehran)
    assert await _snoozed_until(hub, conversation["_id"], page) == expected.astimezone(UTC)


async def test_past_days_cannot_be_picked_for_a_snooze_and_an_empty_snooze_opens_the_picker(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    conversation = await customer_writes(hub, "later please", "v-empty-snooze")
    page = await _agent(browser, hub, base_url, "en", "America/New_York")
    await open_conversation(page, base_url, conversation["_id"])
    form = page.locator("#snooze-form")
    await form.locator("button[type=submit]").click()
    grid = form.locator(".datepick")
    await expect(grid).to_be_visible()
    today = datetime.now(ZoneInfo("America/New_York")).date()
    if today.day > 1:
        yesterday = (today - timedelta(days=1)).isoformat()
        await expect(grid.locator(f'[data-day="{yesterday}"]')).to_be_disabled()
    await expect(grid.locator(f'[data-day="{today.isoformat()}"]')).to_be_enabled()
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation["_id"]})
    assert stored is not None and stored["status"] != "snoozed"


async def test_an_arabic_grid_is_mirrored_and_page_down_moves_a_month(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    page, _, grid = await _snooze_grid(hub, base_url, browser, "ar", "Asia/Riyadh")
    form = page.locator("#snooze-form")
    first_title = await grid.locator(".datepick-title").inner_text()
    days = grid.locator(".datepick-day")
    first, second = await days.nth(0).bounding_box(), await days.nth(1).bounding_box()
    assert first is not None and second is not None and second["x"] < first["x"]  # day 2 left of day 1
    await page.keyboard.press("PageDown")
    await expect(grid.locator(".datepick-title")).not_to_have_text(first_title)
    await page.keyboard.press("Escape")
    await expect(grid).to_be_hidden()
    await expect(form.locator(".datepick-button")).to_be_focused()


async def test_a_lead_picks_the_first_of_the_month_for_a_report_and_the_form_sends_an_iso_day(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    page = await _agent(browser, hub, base_url, "en", "UTC")
    await page.goto(f"{base_url}/reports")
    field = page.locator("form label", has=page.locator('[name="from"]'))
    await field.locator(".datepick-button").click()
    grid = field.locator(".datepick")
    await grid.locator(".datepick-step[data-step='-1']").click()
    first = grid.locator(".datepick-day").first
    day = await first.get_attribute("data-day")
    assert day is not None and day.endswith("-01")
    await first.click()
    await expect(grid).to_be_hidden()
    assert await page.locator('[name="from"]').input_value() == day
    await page.screenshot(path=str(SHOTS / "date-picker-reports-en.png"))
