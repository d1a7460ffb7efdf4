"""In Chromium: changing view, filters or page redraws the list pane in place — the open conversation stays
open (the same element, its draft kept), the URL says which list is shown, back and forward walk through the
lists, and a reload shows the same list beside the same conversation."""

from __future__ import annotations

from bson import ObjectId
from playwright.async_api import Browser, Page, expect

from hub.runtime import Hub
from tests.e2e.test_workspace_panes_in_browser import DESKTOP, _inbox_of, _lead, _opened, _row
from tests.integration.inbox.helpers import place
from tests.support.agents import make_user


async def _first_row(page: Page) -> str | None:
    return await page.locator("#conversation-list [data-conversation]").first.get_attribute("data-conversation")


async def _still_the_same_conversation(page: Page, conversation_id: ObjectId) -> None:
    await _opened_here(page, conversation_id)
    kept = await page.evaluate("""() => [document.querySelector('#conversation-pane .conversation').dataset.kept,
                                         document.querySelector('#composer [name=text]').value]""")
    assert kept == ["yes", "half a reply"], kept


async def _opened_here(page: Page, conversation_id: ObjectId) -> None:
    await expect(page.locator(f'#conversation-pane .conversation[data-conversation="{conversation_id}"]')
                 ).to_have_count(1)


async def test_switching_views_and_filters_keeps_the_open_conversation_and_the_url_follows(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 8)
    context, page = await _lead(browser, hub, base_url, DESKTOP)
    lead = await hub.db.users.find_one({"email": "lena@x.test"})
    assert lead is not None
    await place(hub, ids[5], assignee_id=lead["_id"])
    await place(hub, ids[6], priority="urgent")
    await page.goto(f"{base_url}/inbox/c/{ids[2]}?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    await page.evaluate("() => { document.querySelector('#conversation-pane .conversation').dataset.kept = 'yes'; }")
    await page.locator("#composer [name=text]").fill("half a reply")

    await page.locator('nav.views a[data-view="mine"]').click()
    await expect(page.locator('nav.views a[data-view="mine"]')).to_have_attribute("aria-current", "page")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(1)
    assert await _first_row(page) == str(ids[5])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[2]}?view=mine")
    await _still_the_same_conversation(page, ids[2])
    await expect(page.locator('nav.views a[data-view="mine"]')).to_be_focused()

    await page.locator('nav.views a[data-view="all"]').click()
    await expect(page.locator('nav.views a[data-view="all"]')).to_have_attribute("aria-current", "page")
    await page.locator("details.filters-box summary").click()
    await page.locator("form.filters select[name=priority]").select_option("urgent")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(1)
    assert await _first_row(page) == str(ids[6])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[2]}?view=all&status=open&priority=urgent&sort=recent")
    await _still_the_same_conversation(page, ids[2])

    # Back walks the lists (filters off, then Mine), the conversation never closes; forward again.
    await page.go_back()
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(8)
    await page.go_back()
    await expect(page.locator('nav.views a[data-view="mine"]')).to_have_attribute("aria-current", "page")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(1)
    await _still_the_same_conversation(page, ids[2])
    await page.go_forward()
    await expect(page.locator('nav.views a[data-view="all"]')).to_have_attribute("aria-current", "page")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(8)

    # Opening another conversation from a filtered list keeps the list; a reload shows both again.
    await page.go_forward()
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(1)
    await _row(page, ids[6]).get_by_role("link").click()
    await _opened(page, ids[6])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[6]}?view=all&status=open&priority=urgent&sort=recent")
    await page.reload()
    await _opened(page, ids[6])
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(1)
    await context.close()


async def test_older_pages_in_place_and_a_reload_keeps_the_page(hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 55)  # a page holds 50
    await make_user(hub.db, "sam@x.test", name="Sam Agent")
    context, page = await _lead(browser, hub, base_url, DESKTOP)
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(50)
    await _row(page, ids[0]).get_by_role("link").click()
    await _opened(page, ids[0])
    await page.evaluate("() => { document.querySelector('#conversation-pane .conversation').dataset.kept = 'yes'; }")
    await page.locator("#composer [name=text]").fill("half a reply")

    await page.locator("a[data-older]").click()
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(5)
    assert await _first_row(page) == str(ids[50])
    assert "before=" in page.url and page.url.startswith(f"{base_url}/inbox/c/{ids[0]}?")
    await _still_the_same_conversation(page, ids[0])

    await _row(page, ids[52]).get_by_role("link").click()
    await _opened(page, ids[52])
    assert "before=" in page.url, "the conversation's URL keeps the page of the list beside it"
    await page.reload()
    await _opened(page, ids[52])
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(5)
    await page.go_back()
    await _opened_here(page, ids[0])
    await page.go_back()
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(50)
    await context.close()
