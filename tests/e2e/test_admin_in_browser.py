"""In a real browser: an admin adds a user, sets a department's hours (seeing the API's problems next
to the form), tries the routing test box, and checks channels and mailboxes; screenshots kept."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.support.agents import make_user

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def test_admin_adds_a_user_sets_department_hours_and_explains_a_routing_decision(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "root@x.test", role="admin", name="Roya Admin")
    page = await (await browser.new_context()).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await sign_in(page, base_url, "root@x.test")
    await page.click("header a[href='/admin']")
    await expect(page).to_have_url(f"{base_url}/admin/users")

    form = page.locator("#new-user")
    await form.locator("input[name=name]").fill("مریم احمدی")
    await form.locator("input[name=email]").fill("maryam@x.test")
    await form.locator("input[name=password]").fill("short")
    await form.locator("input[name=department_ids]").first.check()
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-error")).to_contain_text("at least 10 characters")
    await form.locator("input[name=password]").fill("a long enough password")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#users tr[data-user]", has_text="مریم احمدی")).to_have_count(1)
    created = await users.user_by_email(hub.db, "maryam@x.test")
    assert created is not None and len(created["department_ids"]) == 1
    await page.screenshot(path=str(SHOTS / "admin-users.png"), full_page=True)

    await page.click(".admin-tabs a[href='/admin/departments']")
    await page.click("#departments a:has-text('Edit')")
    department = page.locator("#department-form")
    await department.locator("input[name='hours.timezone']").fill("Mars/Olympus")
    await department.locator("input[name='hours.weekly.sat']").fill("09:00-17:00")
    await department.locator("button[type=submit]").click()
    await expect(department.locator(".form-error")).to_contain_text("Mars/Olympus")
    await department.locator("input[name='hours.timezone']").fill("Asia/Tehran")
    await department.locator("input[name='sla.high.first_response']").fill("900")
    await department.locator("input[name='sla.high.resolution']").fill("14400")
    await department.locator("button[type=submit]").click()
    await expect(department.locator(".form-ok")).to_have_text("Saved.")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None and support["hours"]["timezone"] == "Asia/Tehran"
    assert support["sla"]["high"]["first_response"] == 900
    await page.screenshot(path=str(SHOTS / "admin-department.png"), full_page=True)

    await page.click(".admin-tabs a[href='/admin/routing']")
    rules = page.locator("#rules-form")
    await rules.locator("textarea").fill("rules:\n  - id: r1\n    name: to nowhere\n    when:\n      - text: [x]\n"
                                         "    then:\n      - set_department: nowhere\n")
    await rules.locator("button[type=submit]").click()
    await expect(rules.locator(".form-error")).to_contain_text("nowhere")
    await rules.locator("textarea").fill("rules:\n  - id: r1\n    name: refunds to support\n    when:\n"
                                         "      - text: [refund*]\n    then:\n      - set_department: support\n")
    await rules.locator("button[type=submit]").click()
    await expect(rules.locator(".form-ok")).to_have_text("Saved.")
    explain = page.locator("#explain-form")
    await explain.locator("textarea[name=text]").fill("I want a refund please")
    await explain.locator("button[type=submit]").click()
    result = page.locator("#explain-result")
    await expect(result).to_be_visible()
    await expect(result.locator("[data-field=matched]")).to_have_text("refunds to support")
    await expect(result.locator("[data-list=filtered] li")).to_contain_text(["مریم احمدی: not connected"])
    await page.screenshot(path=str(SHOTS / "admin-routing.png"), full_page=True)

    await page.click(".admin-tabs a[href='/admin/channels']")
    await expect(page.locator("#channels tr[data-channel=webchat]")).to_contain_text("configured")
    await page.screenshot(path=str(SHOTS / "admin-channels.png"), full_page=True)
    await page.click(".admin-tabs a[href='/admin/mailboxes']")
    await expect(page.locator("#new-mailbox")).to_have_count(1)
    await page.screenshot(path=str(SHOTS / "admin-mailboxes.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors
