"""In Chromium: the workspace — list | conversation | sidebar at 1440 px, two panes on a tablet, one on a phone
with nothing wider than the screen; a conversation opens in place (the list stays, the URL changes, back and
forward and reload follow), at its newest message under a "New messages" line, the composer pinned; resolving
opens the next conversation of the view."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bson import ObjectId
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_date_picker_in_browser import type_date
from tests.e2e.test_webchat_and_inbox_in_browser import SHOTS, sign_in
from tests.integration.inbox.helpers import arrive
from tests.support.agents import make_user

DESKTOP = {"width": 1440, "height": 900}
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 740}
NAMES = ("Maryam Hosseini", "Nguyễn Văn Đức", "أحمد علي", "李娜", "Sara Lind", "Reza Ahmadi", "Chen Wei",
         "Ola Nordmann")


async def _inbox_of(hub: Hub, n: int) -> list[ObjectId]:
    """`n` customers who each wrote once, across channels; the newest first, as the list shows them."""
    ids = []
    for i in range(n):
        channel = ("webchat", "sms", "email", "whatsapp")[i % 4]
        who = {"webchat": f"v-{i}", "sms": f"+4915112345{i:03d}", "whatsapp": f"+4915199999{i:03d}",
               "email": f"customer{i}@example.com"}[channel]
        result = await arrive(hub, f"Hello, this is message number {i}: where is my order?", who, channel=channel,
                              name=f"{NAMES[i % len(NAMES)]} {i}")
        ids.append(result.conversation["_id"])
    return list(reversed(ids))


async def _lead(browser: Browser, hub: Hub, base_url: str, viewport: dict[str, int], language: str | None = None
                ) -> tuple[BrowserContext, Page]:
    user = await make_user(hub.db, "lena@x.test", role="lead", name="Lena Lead")
    if language:
        await users.set_language(hub.db, user["_id"], language, utcnow())
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    await sign_in(page, base_url, "lena@x.test")
    return context, page


def _row(page: Page, conversation_id: object) -> Locator:
    return page.locator(f'#conversation-list [data-conversation="{conversation_id}"]')


async def _opened(page: Page, conversation_id: object) -> None:
    pane = page.locator(f'#conversation-pane .conversation[data-conversation="{conversation_id}"]')
    await expect(pane).to_have_count(1)
    await expect(_row(page, conversation_id)).to_have_attribute("aria-current", "true")


async def _fully_visible_rows(page: Page) -> int:
    counted: int = await page.evaluate("""() => {
        const box = document.getElementById("conversation-list").getBoundingClientRect();
        return [...document.querySelectorAll("#conversation-list [data-conversation]")].filter(row => {
            const r = row.getBoundingClientRect();
            return r.height > 0 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1 && r.bottom <= innerHeight;
        }).length;
    }""")
    return counted


async def _no_sideways_scroll(page: Page) -> None:
    widths: dict[str, Any] = await page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: innerWidth})")
    assert widths["scroll"] <= widths["inner"], widths


async def _inside_viewport(page: Page, locator: Locator) -> None:
    await expect(locator).to_be_visible()
    box = await locator.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)


async def test_three_panes_show_fifteen_rows_and_a_conversation_opens_in_place_with_its_own_url(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 40)
    context, page = await _lead(browser, hub, base_url, DESKTOP)
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    assert await _fully_visible_rows(page) >= 15
    page_height = await page.evaluate("() => document.scrollingElement.scrollHeight - innerHeight")
    assert page_height <= 0, "the page itself does not scroll: each pane does"

    # The list element is kept (same node, same scroll position) while conversations open beside it.
    await page.evaluate("""() => { const list = document.getElementById("conversation-list");
                                   list.dataset.kept = "yes"; list.scrollTop = 120; }""")
    await _row(page, ids[9]).get_by_role("link").click()
    await _opened(page, ids[9])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[9]}?view=all")
    kept = await page.evaluate("""() => { const list = document.getElementById("conversation-list");
                                          return [list.dataset.kept, list.scrollTop]; }""")
    assert kept == ["yes", 120], kept
    for pane in ("#list-pane", "#conversation-pane .conv-main", "#conversation-pane .conv-side"):
        await expect(page.locator(pane)).to_be_visible()
    assert await page.evaluate("() => document.scrollingElement.scrollHeight - innerHeight") <= 0

    await _row(page, ids[11]).get_by_role("link").click()
    await _opened(page, ids[11])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[11]}?view=all")
    await expect(_row(page, ids[9])).not_to_have_attribute("aria-current", "true")
    await page.screenshot(path=str(SHOTS / "workspace-desktop.png"))

    await page.go_back()
    await _opened(page, ids[9])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[9]}?view=all")
    await page.go_forward()
    await _opened(page, ids[11])
    assert await page.evaluate("() => document.getElementById('conversation-list').dataset.kept") == "yes"

    # A reload draws the same state on the server: this list, this conversation, its sidebar.
    await page.reload()
    await _opened(page, ids[11])
    await expect(page.locator('.views a[data-view="all"]')).to_have_attribute("aria-current", "page")
    await expect(page.locator("#conversation-pane .conv-side")).to_be_visible()
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(40)

    # Ctrl-click still opens a new tab, and this tab stays where it was.
    async with context.expect_page() as new_tab:
        await _row(page, ids[3]).get_by_role("link").click(modifiers=["Control"])
    opened = await new_tab.value
    await expect(opened).to_have_url(f"{base_url}/inbox/c/{ids[3]}?view=all")
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[11]}?view=all")
    await _opened(page, ids[11])


async def test_a_conversation_opens_at_its_newest_message_below_a_new_messages_line_with_the_composer_in_view(
        hub: Hub, base_url: str, browser: Browser) -> None:
    first = await arrive(hub, "Hello, my parcel has not arrived", "v-long", name="Maryam")
    for i in range(14):
        await arrive(hub, f"Some more detail, part {i}: it was ordered last week and paid by card.", "v-long")
    other = await arrive(hub, "A different customer", "v-other", name="Bo")
    _, page = await _lead(browser, hub, base_url, DESKTOP)
    conversation_id = first.conversation["_id"]
    await page.goto(f"{base_url}/inbox/c/{conversation_id}?view=all")  # read: everything up to now seen
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    await expect(page.locator("#timeline .new-divider")).to_have_count(0)
    await _row(page, other.conversation["_id"]).get_by_role("link").click()
    await _opened(page, other.conversation["_id"])

    unread = await arrive(hub, "Are you there? This is the first one you have not read", "v-long")
    newest = await arrive(hub, "Hello??", "v-long")
    await expect(_row(page, conversation_id)).to_have_class(re.compile(r"\bunread\b"))
    await _row(page, conversation_id).get_by_role("link").click()
    await _opened(page, conversation_id)

    divider = page.locator("#timeline .new-divider")
    await expect(divider).to_have_count(1)
    following = await divider.evaluate("el => el.nextElementSibling.id")
    assert following == f"m-{unread.message['_id']}"
    await expect(divider).to_be_in_viewport()
    await expect(page.locator(f"#m-{newest.message['_id']}")).to_be_in_viewport()
    scrolled = await page.evaluate("() => { const t = document.getElementById('timeline'); return ["
                                   "t.scrollHeight > t.clientHeight, t.scrollHeight - t.scrollTop - t.clientHeight]; }")
    assert scrolled[0] and scrolled[1] < 2, scrolled  # long enough to scroll, and opened at its end
    await _inside_viewport(page, page.locator("#composer [data-action=send]"))
    await _inside_viewport(page, page.locator("#composer textarea"))
    await expect(_row(page, conversation_id)).not_to_have_class(re.compile(r"\bunread\b"))


async def test_resolving_or_snoozing_opens_the_next_conversation_of_the_view_in_place(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 3)
    _, page = await _lead(browser, hub, base_url, DESKTOP)
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    await page.evaluate("() => { document.getElementById('conversation-list').dataset.kept = 'yes'; }")
    await _row(page, ids[0]).get_by_role("link").click()
    await _opened(page, ids[0])
    await page.locator("#conversation-header [data-action=resolve]").click()
    await _opened(page, ids[1])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[1]}?view=all")
    await expect(_row(page, ids[0])).to_have_count(0)  # the open view no longer lists the resolved one
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": ids[0]})
    assert stored is not None and stored["status"] == "resolved"
    assert await page.evaluate("() => document.getElementById('conversation-list').dataset.kept") == "yes"

    # A snooze refused (a time in the past) keeps the agent here; a snooze that holds moves on as well.
    snooze = page.locator("#snooze-form")
    await type_date(snooze.locator('[name="until"]'), "2001-01-01T09:00")
    await snooze.locator("button[type=submit]").click()
    await expect(snooze.locator(".form-error")).not_to_be_empty()
    await _opened(page, ids[1])
    await type_date(snooze.locator('[name="until"]'), (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT09:00"))
    await snooze.locator("button[type=submit]").click()
    await _opened(page, ids[2])
    await expect(page).to_have_url(f"{base_url}/inbox/c/{ids[2]}?view=all")


async def test_ten_swaps_keep_one_stream_and_one_set_of_listeners(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 5)
    _, page = await _lead(browser, hub, base_url, DESKTOP)
    # The page signing in landed on has its own stream: count only those of the page under test.
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if "/inbox/events" in r.url else None)
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    for turn in range(10):
        target = ids[turn % 2]
        await _row(page, target).get_by_role("link").click()
        await _opened(page, target)
    await _row(page, ids[2]).get_by_role("link").click()
    await _opened(page, ids[2])

    pings: list[str] = []
    page.on("request", lambda r: pings.append(r.url) if r.url.endswith("/presence") and r.method == "POST" else None)
    await page.locator("#composer textarea").press_sequentially("Thanks, on its way")
    await page.locator("#composer [data-action=send]").click()
    await expect(page.locator("#timeline .msg-out .text")).to_have_text(["Thanks, on its way"])
    await page.wait_for_timeout(300)
    assert await hub.db[model.MESSAGES].count_documents({"direction": "out"}) == 1
    typing = [u for u in pings if f"/conversations/{ids[2]}/presence" in u]
    assert typing and len(typing) == len(pings), pings  # only the open conversation hears that Lena types
    assert len(typing) <= 2, pings  # one typing ping (and at most a heartbeat), not one per earlier swap
    assert len(streams) == 1, streams  # one live stream for the page, whatever was opened


async def test_a_tablet_shows_two_panes_and_the_sidebar_behind_a_button(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 12)
    _, page = await _lead(browser, hub, base_url, TABLET)
    await page.goto(f"{base_url}/inbox/c/{ids[0]}?view=all")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    await expect(page.locator("#list-pane")).to_be_visible()
    await expect(page.locator("#conversation-pane .conv-main")).to_be_visible()
    await expect(page.locator("#conversation-pane .conv-side")).to_be_hidden()
    await _no_sideways_scroll(page)
    await _inside_viewport(page, page.locator("#composer [data-action=send]"))
    await page.screenshot(path=str(SHOTS / "workspace-tablet.png"))
    toggle = page.locator(".conv-nav [data-action=toggle-sidebar]")
    await toggle.click()
    await expect(page.locator("#conversation-pane .conv-side")).to_be_visible()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    await page.screenshot(path=str(SHOTS / "workspace-tablet-sidebar.png"))
    await page.locator(".conv-side [data-action=toggle-sidebar]").click()
    await expect(page.locator("#conversation-pane .conv-side")).to_be_hidden()


async def test_a_phone_shows_one_pane_at_a_time_and_nothing_wider_than_the_screen(
        hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 12)
    for size, shots in ((PHONE, True), (NARROW_PHONE, False)):
        context, page = await _lead(browser, hub, base_url, size)
        await page.goto(f"{base_url}/inbox?view=all")
        await expect(page.locator("body[data-live=connected]")).to_have_count(1)
        await expect(page.locator("#list-pane")).to_be_visible()
        await expect(page.locator("#conversation-pane")).to_be_hidden()
        await _no_sideways_scroll(page)
        if shots:
            await page.screenshot(path=str(SHOTS / "workspace-phone-list.png"))

        await _row(page, ids[1]).get_by_role("link").click()
        await _opened(page, ids[1])
        await expect(page.locator("#list-pane")).to_be_hidden()
        await _no_sideways_scroll(page)
        await _inside_viewport(page, page.locator("#composer [data-action=send]"))
        await _inside_viewport(page, page.locator(".conv-back"))
        if shots:
            await page.screenshot(path=str(SHOTS / "workspace-phone-conversation.png"))
        await page.reload()  # the server draws the same single pane
        await _opened(page, ids[1])
        await expect(page.locator("#list-pane")).to_be_hidden()
        await _no_sideways_scroll(page)

        await page.locator(".conv-back").click()
        await expect(page).to_have_url(f"{base_url}/inbox?view=all")
        await expect(page.locator("#list-pane")).to_be_visible()
        await page.go_back()
        await _opened(page, ids[1])
        await context.close()
        await hub.db[model.USERS].delete_one({"email": "lena@x.test"})


async def test_persian_mirrors_the_panes(hub: Hub, base_url: str, browser: Browser) -> None:
    ids = await _inbox_of(hub, 20)
    _, page = await _lead(browser, hub, base_url, DESKTOP, language="fa")
    await page.goto(f"{base_url}/inbox/c/{ids[2]}?view=all")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    boxes = [await page.locator(sel).bounding_box()
             for sel in ("#list-pane", "#conversation-pane .conv-main", "#conversation-pane .conv-side")]
    assert all(boxes), boxes
    listed, main, side = (b["x"] for b in boxes if b)
    assert listed > main > side, boxes  # right to left: list, conversation, sidebar
    await expect(page.locator("#conversation-list .new-divider, .pane-empty")).to_have_count(0)
    await page.screenshot(path=str(SHOTS / "workspace-desktop-rtl.png"))
