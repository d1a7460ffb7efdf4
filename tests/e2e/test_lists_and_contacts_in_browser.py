"""In Chromium: a lead works the list (views, bulk assign, search) and merges two contacts, then undoes it."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hub.runtime import Hub
from tests.e2e.test_webchat_and_inbox_in_browser import SHOTS, sign_in
from tests.integration.inbox.helpers import arrive
from tests.support.agents import make_user


async def test_lead_bulk_assigns_a_selection_and_finds_a_persian_message(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "ana@x.test", name="Ana")
    await make_user(hub.db, "lead@x.test", role="lead", departments=(), name="Lee")
    await arrive(hub, "سلام، کتاب من کی می‌رسد؟", "v-fa", name="مریم")
    await arrive(hub, "مرحبا، أين طلبي؟", "v-ar", name="أحمد")
    await arrive(hub, "Xin chào, tôi muốn đổi hàng", "v-vi", name="Nguyễn Văn Đức")
    page = await (await browser.new_context()).new_page()
    await sign_in(page, base_url, "lead@x.test")
    await page.goto(f"{base_url}/inbox?view=all")
    rows = page.locator("#conversation-list [data-conversation]")
    await expect(rows).to_have_count(3)
    await expect(page.locator('[data-count="all"]')).to_have_text("3")
    assert await rows.first.locator(".preview").get_attribute("dir") == "auto"

    await rows.nth(0).locator("input[type=checkbox]").check()
    await rows.nth(1).locator("input[type=checkbox]").check()
    await expect(page.locator("#bulk [data-selected]")).to_have_text("2")
    await page.select_option("#bulk select[name=action]", "assign")
    await page.select_option("#bulk select[name=assignee_id]", label="Ana")
    await page.click("#bulk button[type=submit]")
    await expect(page.locator("#bulk .bulk-result")).to_have_attribute("data-done", "2")
    await expect(page.locator("#conversation-list bdi", has_text="Ana")).to_have_count(2)
    await expect(page.locator('[data-count="unassigned"]')).to_have_text("1")  # the tabs' counts follow live
    await page.screenshot(path=str(SHOTS / "inbox-list-bulk-assigned.png"), full_page=True)

    await page.fill(".search-box input[name=q]", "كتاب")  # Arabic kaf: finds the Persian کتاب
    await page.keyboard.press("Enter")
    await expect(page.locator("#search-conversations [data-conversation]")).to_have_count(1)
    await expect(page.locator("#search-conversations .preview")).to_have_text("سلام، کتاب من کی می‌رسد؟")
    await page.screenshot(path=str(SHOTS / "search-persian.png"), full_page=True)


async def test_lead_merges_a_suggested_duplicate_and_undoes_it_in_the_browser(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=(), name="Lee")
    chat = await arrive(hub, "سلام from the website", "v-m", name="Reza Ahmadi")
    await arrive(hub, "by email", "reza.ahmadi@example.com", channel="email", name="Reza Ahmadi")
    page = await (await browser.new_context()).new_page()
    await sign_in(page, base_url, "lead@x.test")
    await page.goto(f"{base_url}/inbox/contacts/{chat.contact['_id']}")
    await expect(page.locator(".duplicates li")).to_have_count(1)
    await page.click("[data-action=merge]")  # asks first: what moves, what conflicts
    await expect(page.locator(".merge-moves .moves-identities")).to_contain_text("reza.ahmadi@example.com")
    await expect(page.locator(".merge-conflicts .conflict[data-kind=open_conversations]")).to_have_count(1)
    await page.screenshot(path=str(SHOTS / "contact-merge-preview.png"), full_page=True)
    await page.click("[data-action=confirm-merge]")
    await expect(page.locator(".identities li", has_text="reza.ahmadi@example.com")).to_have_count(1)
    await expect(page.locator(".contact-conversations li")).to_have_count(2)
    await page.screenshot(path=str(SHOTS / "contact-merged.png"), full_page=True)
    await page.click("[data-action=undo-merge]")
    await expect(page.locator(".merges .badge", has_text="undone")).to_have_count(1)
    await expect(page.locator(".identities li")).to_have_count(1)
    await expect(page.locator(".contact-conversations li")).to_have_count(1)
