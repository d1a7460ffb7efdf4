"""In a real browser: an admin resets an agent's password from the users page, the agent's open inbox
falls back to the sign-in form by itself, and the agent then changes the password on their own page."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from hub.runtime import Hub
from tests.support.agents import make_user

RESET = "a password from the admin"
MINE = "one only I know now"


async def test_admin_resets_a_password_the_open_inbox_signs_out_and_the_agent_picks_their_own(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "root@x.test", role="admin", name="Roya Admin")
    ana = await make_user(hub.db, "ana@x.test", name="Ana Agent")
    admin = await (await browser.new_context()).new_page()
    agent = await (await browser.new_context()).new_page()
    for page, email in ((admin, "root@x.test"), (agent, "ana@x.test")):
        await page.goto(f"{base_url}/login")
        await page.fill('input[name="email"]', email)
        await page.fill('input[name="password"]', "correct horse battery")
        await page.click('button[type="submit"]')
        await expect(page).to_have_url(f"{base_url}/inbox")
    await expect(agent.locator("body[data-live=connected]")).to_have_count(1)

    await admin.goto(f"{base_url}/admin/users")
    await admin.locator("summary", has_text="Ana Agent").click()
    form = admin.locator(f"form[action='/api/v1/admin/users/{ana['_id']}/password']")
    await form.locator("input[name=password]").fill(RESET)
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-ok")).to_have_text("Password reset; they are signed out everywhere.")

    # Her live stream notices within seconds and the page reloads onto the sign-in form.
    await expect(agent).to_have_url(re.compile(r"/login\?next="), timeout=15_000)
    await agent.fill('input[name="email"]', "ana@x.test")
    await agent.fill('input[name="password"]', RESET)
    await agent.click('button[type="submit"]')
    await expect(agent).to_have_url(f"{base_url}/inbox")

    await agent.click("header a[href='/profile']")
    await agent.fill('input[name="current_password"]', RESET)
    await agent.fill('input[name="new_password"]', MINE)
    await agent.fill('input[name="new_password_again"]', MINE)
    await agent.click("form[action='/profile/password'] button[type=submit]")
    await expect(agent.locator("[role=status]", has_text="Password changed.")).to_have_count(1)
    await agent.goto(f"{base_url}/inbox")
    await expect(agent).to_have_url(f"{base_url}/inbox")  # this session was kept
