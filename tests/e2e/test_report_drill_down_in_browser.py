"""In a real browser: a lead follows the numbers of /reports (a card, an agent's row, a channel's messages) to
the conversations behind them and on to a conversation; an Arabic admin gets the same pages mirrored and
translated, on a desktop and on a phone. Screenshots go to var/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_languages_in_browser import NOWRUZ, _shoot
from tests.e2e.test_reports_in_browser import _traffic
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.routing.support import customer
from tests.support.agents import make_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def _signed_in(browser: Browser, base_url: str, email: str, viewport: dict[str, int]) -> Page:
    page = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
    await sign_in(page, base_url, email)
    return page


async def test_a_lead_follows_numbers_to_the_conversations_behind_them(
        hub: Hub, base_url: str, browser: Browser) -> None:
    await _traffic(hub)
    await make_user(hub.db, "lea@x.test", role="lead", departments=("Support",), name="Lea")
    page = await _signed_in(browser, base_url, "lea@x.test", DESKTOP)
    await page.goto(f"{base_url}/reports")
    await expect(page.locator("[data-metric=messages_in] strong")).to_have_text("3")
    await expect(page.locator("[data-metric=messages_out] strong")).to_have_text("3")
    await expect(page.locator(".report-chart canvas")).to_have_count(2)  # created per day, and the backlog
    await expect(page.locator(".u-legend").nth(1)).to_contain_text("Open conversations")
    await expect(page.locator("[data-oldest-waiting]")).to_have_count(0)  # every customer has an answer
    await ingest(hub, customer("hello? anyone?", "c9"))
    await page.reload()
    await expect(page.locator("[data-oldest-waiting] [data-seconds]")).to_have_count(1)
    await page.locator("[data-drill=open]").click()
    await expect(page).to_have_url(f"{base_url}/reports/conversations?metric=open")
    await expect(page.locator(".report-behind tbody a")).to_have_count(4)

    await page.goto(f"{base_url}/reports/agents")
    await page.locator(".report-table tbody td a").first.click()  # Ana's assigned conversations
    await expect(page.locator(".reports-page h2")).to_contain_text("Assigned: 3")
    await _shoot(page, "reports-drill-en")
    await page.locator(".report-behind tbody a").first.click()
    await page.wait_for_url("**/inbox/c/*")

    await page.goto(f"{base_url}/reports/messages")
    table = page.locator("[data-messages-by=channel]")
    await expect(table.locator("tbody th")).to_have_text(["webchat"])
    await expect(table.locator("tbody td")).to_have_text(["4", "3"])
    await _shoot(page, "reports-messages-en")
    await table.locator("tbody td a").last.click()
    await expect(page.locator(".reports-page h2")).to_contain_text("Messages out: 3")
    phone = await _signed_in(browser, base_url, "lea@x.test", PHONE)
    for path, name in (("/reports/messages", "reports-messages-en-phone"),
                       ("/reports/conversations?metric=messages_in", "reports-drill-en-phone")):
        await phone.goto(base_url + path)
        await expect(phone.locator(".report-table").first).to_be_visible()
        await _shoot(phone, name)


async def test_an_arabic_admin_gets_the_drill_down_and_messages_mirrored_and_translated(
        hub: Hub, base_url: str, browser: Browser) -> None:
    await _traffic(hub)
    admin = await make_user(hub.db, "amal@x.test", role="admin", name="Amal")
    await users.set_language(hub.db, admin["_id"], "ar", NOWRUZ)
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page = await _signed_in(browser, base_url, "amal@x.test", viewport)
        await page.goto(f"{base_url}/reports")
        await expect(page.locator(".u-legend").nth(1)).to_contain_text("المحادثات المفتوحة")
        await _shoot(page, f"reports-overview-backlog-ar{suffix}")
        await page.goto(f"{base_url}/reports/messages")
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        await expect(page.locator(".reports-page h2").first).to_contain_text("الرسائل حسب القناة")
        await _shoot(page, f"reports-messages-ar{suffix}")
        await page.goto(f"{base_url}/reports/conversations?metric=messages_in")
        await expect(page.locator(".reports-page h2")).to_contain_text("الرسائل الواردة")
        await expect(page.locator(".report-behind tbody td").first).to_have_text("مفتوحة")
        await _shoot(page, f"reports-drill-ar{suffix}")
