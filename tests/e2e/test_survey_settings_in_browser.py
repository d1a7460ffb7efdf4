"""In a real browser: an admin turns a department's satisfaction survey on with a delay, and off again."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.support.agents import make_user

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def test_admin_turns_the_survey_on_with_a_delay_and_off_again_from_the_department_page(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "root@x.test", role="admin", name="Roya Admin")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    page = await (await browser.new_context()).new_page()
    await sign_in(page, base_url, "root@x.test")
    await page.goto(f"{base_url}/admin/departments/{support['_id']}")
    form = page.locator("#department-form")
    await form.locator("select[name='csat.enabled']").select_option("true")
    await form.locator("input[name='csat.delay_seconds']").fill("120")
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-ok")).to_have_text("Saved.")
    saved = await users.department_by_name(hub.db, "Support")
    assert saved is not None and saved["csat"] == {"enabled": True, "delay_seconds": 120}
    await page.screenshot(path=str(SHOTS / "admin-department-survey.png"), full_page=True)

    await form.locator("select[name='csat.enabled']").select_option("false")
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-ok")).to_have_text("Saved.")
    saved = await users.department_by_name(hub.db, "Support")
    assert saved is not None and saved["csat"] == {"enabled": False, "delay_seconds": 120}
