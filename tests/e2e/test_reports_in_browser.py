"""In a real browser: a lead opens /reports, sees the numbers of their department with a uPlot chart, follows
a number to the conversations behind it and finds the CSV export; an Arabic admin gets it mirrored and
translated. Screenshots go to var/screenshots/."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hub.inbound.ingest import ingest
from hub.outbound import replies
from hub.runtime import Hub
from hub.store import conversations, users
from tests.e2e.test_languages_in_browser import NOWRUZ, _shoot
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.inbox.helpers import place
from tests.integration.routing.support import customer, department
from tests.support.agents import make_user


async def _traffic(hub: Hub) -> None:
    support = await department(hub, "Support")
    agent = await make_user(hub.db, "ana@x.test", departments=("Support",), name="Ana")
    for who in ("c1", "c2", "c3"):
        chat = await ingest(hub, customer("where is my parcel?", who))
        await place(hub, chat.conversation["_id"], department_id=support["_id"], assignee_id=agent["_id"])
        fresh = await conversations.get(hub.db, chat.conversation["_id"])
        assert fresh is not None
        await replies.post(hub, agent, fresh, "on its way")


async def test_a_lead_reads_the_overview_follows_a_number_and_finds_the_export(
        hub: Hub, base_url: str, browser: Browser) -> None:
    await _traffic(hub)
    await make_user(hub.db, "lea@x.test", role="lead", departments=("Support",), name="Lea")
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, base_url, "lea@x.test")
    await page.goto(f"{base_url}/reports")
    await expect(page.locator("[data-metric=created] strong")).to_have_text("3")
    await expect(page.locator("[data-metric=first_response] strong")).to_have_text("3")
    await expect(page.locator(".report-chart canvas")).to_have_count(2)  # uPlot drew the series and the backlog
    export = page.locator("a.csv-link").first
    await expect(export).to_have_attribute("href", "/api/v1/reports/export.csv?report=overview")
    await _shoot(page, "reports-overview-en")
    await page.locator("[data-metric=created]").click()
    await expect(page.locator(".report-behind tbody a")).to_have_count(3)
    await page.goto(f"{base_url}/reports/agents")
    # Lea may follow: once her inbox's live stream has opened she has time online, and the table lists
    # everyone of the department who was online.
    await expect(page.locator(".report-table tbody th").first).to_have_text("Ana")
    await _shoot(page, "reports-agents-en")


async def test_an_arabic_admin_gets_the_reports_mirrored_and_translated(
        hub: Hub, base_url: str, browser: Browser) -> None:
    await _traffic(hub)
    admin = await make_user(hub.db, "amal@x.test", role="admin", name="Amal")
    await users.set_language(hub.db, admin["_id"], "ar", NOWRUZ)
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await sign_in(page, base_url, "amal@x.test")
    await page.goto(f"{base_url}/reports")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("h1")).to_have_text("التقارير")
    await expect(page.locator("[data-metric=created] strong")).to_have_text("3")
    # Durations read as durations in the viewer's language, the exact seconds on hover.
    first = page.locator("[data-seconds]").first
    await expect(first).to_have_class("localized")
    assert (await first.text_content() or "").endswith("ث")  # Arabic's short "seconds"
    await expect(page.locator(".u-legend").first).to_contain_text("اليوم")  # the chart speaks Arabic too
    assert (await first.get_attribute("title") or "").endswith(" s")
    await _shoot(page, "reports-overview-ar")
