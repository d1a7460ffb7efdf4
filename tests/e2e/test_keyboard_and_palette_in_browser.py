"""In a real browser, keyboard first: j / k and Enter in the list, the conversation's single keys, "?" for the
help, and ⌘K / Ctrl-K's palette finding a customer by a phone number as people type it and running actions.
Also writes var/screenshots/palette*.png (desktop and phone, left-to-right and Persian)."""

from __future__ import annotations

import re
from datetime import timedelta

from bson import ObjectId
from playwright.async_api import Browser, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.inbox.helpers import arrive, place
from tests.support.polling import poll_until

PERSIAN_J = "document.activeElement.dispatchEvent(new KeyboardEvent('keydown', " \
            "{key: 'ت', code: 'KeyJ', bubbles: true, cancelable: true}))"


async def _three_customers(hub: Hub) -> list[str]:
    """Three conversations, newest first as the list shows them."""
    ids = []
    for n, (name, text) in enumerate((("Ana Silva", "Where is my order?"), ("Bo Chen", "Refund please"),
                                      ("Cyrus Parsa", "سلام، سفارش من کجاست؟"))):
        result = await arrive(hub, text, f"+1415555010{n}", channel="sms", name=name)
        await place(hub, result.conversation["_id"], last_message_at=utcnow() - timedelta(minutes=10 - n))
        ids.append(str(result.conversation["_id"]))
    return ids[::-1]


async def _selected(page: Page) -> str | None:
    return await page.locator("#conversation-list .key-selected").get_attribute("data-conversation")


async def test_j_and_k_move_through_the_list_and_enter_opens_the_selected_conversation(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    newest, middle, oldest = await _three_customers(hub)
    await page.goto(f"{base_url}/inbox?view=all")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(3)
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)

    await page.keyboard.press("j")
    assert await _selected(page) == newest
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    assert await _selected(page) == oldest
    await page.keyboard.press("j")  # the last row stays selected
    assert await _selected(page) == oldest
    await page.keyboard.press("k")
    assert await _selected(page) == middle
    await expect(page.locator("#conversation-list .key-selected a[href]")).to_be_focused()
    # A Persian keyboard: the J key types "ت", and it still moves.
    await page.keyboard.press("k")
    await page.evaluate(PERSIAN_J)
    assert await _selected(page) == middle
    # x ticks the selected row for a bulk action; typing in the search box types, it never moves.
    await page.keyboard.press("x")
    await expect(page.locator(f'input[name=ids][value="{middle}"]')).to_be_checked()
    # A new customer re-renders the list live: the same row stays selected, and focused.
    await arrive(hub, "I am new here", "+14155550199", channel="sms", name="Dara New")
    await expect(page.locator("#conversation-list [data-conversation]")).to_have_count(4)
    assert await _selected(page) == middle
    await expect(page.locator("#conversation-list .key-selected a[href]")).to_be_focused()
    await page.locator(".search-box input[name=q]").press_sequentially("jk")
    await expect(page.locator(".search-box input[name=q]")).to_have_value("jk")
    assert await _selected(page) == middle
    await page.keyboard.press("Escape")  # leaves the field: keys are shortcuts again
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"/inbox/c/{middle}(\?.*)?$"))
    await expect(page.locator(".conv-header h2")).to_have_text("Bo Chen")


async def test_single_keys_in_a_conversation_reply_note_resolve_and_show_the_help(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ari Agent")
    result = await arrive(hub, "Is it in stock?", "v-keys")
    await open_conversation(page, base_url, result.conversation["_id"])
    textarea, note = page.locator("#composer textarea"), page.locator('#composer [name="note"]')

    await page.keyboard.press("r")
    await expect(textarea).to_be_focused()
    await expect(note).not_to_be_checked()
    await page.keyboard.type("just a j and a k")  # typing in the reply box types, shortcuts stay quiet
    await expect(textarea).to_have_value("just a j and a k")
    await textarea.fill("")
    await page.keyboard.press("Escape")
    await expect(textarea).not_to_be_focused()
    await page.keyboard.press("n")
    await expect(note).to_be_checked()
    await expect(textarea).to_be_focused()
    await expect(page.locator("#composer .note-banner")).to_be_visible()
    await page.keyboard.press("Escape")
    await page.keyboard.press("r")
    await expect(note).not_to_be_checked()
    await page.keyboard.press("Escape")

    # The buttons a key presses say so.
    await expect(page.locator('[data-action="resolve"]')).to_have_attribute("aria-keyshortcuts", "e")
    await expect(page.locator('[data-action="resolve"]')).to_have_attribute("title", "Resolve (e)")
    await page.keyboard.press("Shift+?")
    help_box = page.locator("#shortcuts-help")
    await expect(help_box).to_be_visible()
    for listed in ("Next / previous row", "Open the selected row", "Write a reply", "Resolve", "Snooze",
                   "Transfer", "Command palette: find a conversation, a contact or an action"):
        await expect(help_box).to_contain_text(listed)
    await page.keyboard.press("Escape")
    await expect(help_box).to_be_hidden()
    await page.keyboard.press("e")
    await expect(page.locator(".conv-header .badge[data-status]")).to_have_text("resolved")
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": result.conversation["_id"]})
    assert stored is not None and stored["status"] == "resolved"


async def test_the_help_opens_on_a_list_page_too(hub: Hub, base_url: str, browser: Browser) -> None:
    _, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ari Agent")
    await page.goto(f"{base_url}/inbox/contacts")
    await page.keyboard.press("Shift+?")
    await expect(page.locator("#shortcuts-help")).to_be_visible()
    await expect(page.locator("#shortcuts-help")).to_contain_text("Open the selected row")


async def test_ctrl_k_finds_a_customer_by_a_national_phone_number_and_runs_resolve_on_the_open_conversation(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    await _three_customers(hub)
    iran = await arrive(hub, "سلام، بسته‌ام نرسیده", "+989123456789", channel="whatsapp", name="Maryam Rahimi")
    await page.goto(f"{base_url}/inbox?view=all")
    search_box = page.locator(".search-box input[name=q]")
    await search_box.focus()

    await page.keyboard.press("Control+k")
    palette = page.locator("dialog.palette")
    field = palette.locator("[role=combobox]")
    await expect(palette).to_be_visible()
    await expect(field).to_be_focused()
    await expect(palette.locator("[role=option]").first).to_have_attribute("aria-selected", "true")
    await page.keyboard.press("Escape")
    await expect(palette).to_be_hidden()
    await expect(search_box).to_be_focused()  # the focus is back where it was

    await page.keyboard.press("Control+k")
    await field.press_sequentially("0912 345 6789")
    option = palette.locator("[role=option]", has_text="Maryam Rahimi").first
    await expect(option).to_be_visible()
    await expect(option).to_have_attribute("aria-selected", "true")
    assert await field.get_attribute("aria-activedescendant") == await option.get_attribute("id")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(rf"/inbox/c/{iran.conversation['_id']}(\?.*)?$"))
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)

    await page.keyboard.press("Control+k")
    await field.press_sequentially("resolve")
    await expect(palette.locator("[role=option][aria-selected=true]")).to_contain_text("Resolve this conversation")
    await page.keyboard.press("Enter")
    await expect(palette).to_be_hidden()
    await poll_until(lambda: _status_is(hub, iran.conversation["_id"], "resolved"), "the palette resolved it")
    # (The workspace then opens the view's next conversation.) Back on the resolved one, "resolve" is no
    # action any more, and ↓ / ↑ walk the options.
    await page.goto(f"{base_url}/inbox/c/{iran.conversation['_id']}")
    await expect(page.locator(".conv-header .badge[data-status]")).to_have_text("resolved")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)
    await page.keyboard.press("Control+k")
    await field.press_sequentially("reso")
    await expect(palette.locator("[role=option]", has_text="Resolve this conversation")).to_have_count(0)
    await field.fill("")
    await field.press_sequentially("contacts")
    await expect(palette.locator("[role=option][aria-selected=true]")).to_contain_text("Contacts")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{base_url}/inbox/contacts")


async def _status_is(hub: Hub, conversation_id: ObjectId, status: str) -> bool:
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation_id})
    return stored is not None and stored.get("status") == status


async def _list_in(browser: Browser, hub: Hub, base_url: str, email: str, language: str | None,
                   size: tuple[int, int]) -> Page:
    """`email` signed in, in `language`, on the All view at `size`."""
    user = await users.user_by_email(hub.db, email)
    assert user is not None
    await users.set_language(hub.db, user["_id"], language, utcnow())
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = await context.new_page()
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/inbox?view=all")
    return page


async def _palette_shot(browser: Browser, hub: Hub, base_url: str, email: str, language: str | None,
                        size: tuple[int, int], name: str, query: str) -> None:
    page = await _list_in(browser, hub, base_url, email, language, size)
    await page.keyboard.press("Control+k")
    await page.locator("dialog.palette [role=combobox]").press_sequentially(query)
    await expect(page.locator("dialog.palette [data-option^='c:']").first).to_be_visible()
    await page.screenshot(path=str(SHOTS / f"{name}.png"))
    await page.context.close()


async def test_palette_screenshots_desktop_and_phone_left_to_right_and_persian(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    await _three_customers(hub)
    for n, name in enumerate(("Sara Ahmadi", "Sara Karimi", "سارا رضایی")):
        await arrive(hub, f"Sara here, about order {4520 + n}", f"+98912345670{n}", channel="whatsapp", name=name)
    await _palette_shot(browser, hub, base_url, "lead@x.test", None, (1440, 900), "palette", "sara")
    await _palette_shot(browser, hub, base_url, "lead@x.test", None, (390, 844), "palette-phone", "sara")
    await _palette_shot(browser, hub, base_url, "lead@x.test", "fa", (1440, 900), "palette-rtl", "سارا")
    await _palette_shot(browser, hub, base_url, "lead@x.test", "fa", (390, 844), "palette-rtl-phone", "سارا")
    await _help_shot(browser, hub, base_url, "lead@x.test", None, (1440, 900), "shortcuts-help")
    await _help_shot(browser, hub, base_url, "lead@x.test", "fa", (390, 844), "shortcuts-help-rtl-phone")


async def _help_shot(browser: Browser, hub: Hub, base_url: str, email: str, language: str | None,
                     size: tuple[int, int], name: str) -> None:
    """The list with the keyboard's selection on its second row, then the help over it."""
    page = await _list_in(browser, hub, base_url, email, language, size)
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    await page.screenshot(path=str(SHOTS / f"list-keyboard-selection{name.removeprefix('shortcuts-help')}.png"))
    await page.keyboard.press("Shift+?")
    await expect(page.locator("#shortcuts-help")).to_be_visible()
    await page.screenshot(path=str(SHOTS / f"{name}.png"))
    await page.context.close()


async def test_the_palette_switches_the_interface_language_and_opens_the_help(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "agent@x.test", "Ari Agent")
    await page.goto(f"{base_url}/inbox/contacts")
    palette = page.locator("dialog.palette")
    await page.keyboard.press("Control+k")
    await palette.locator("[role=combobox]").press_sequentially("language")
    await expect(palette.locator("[role=option]")).to_have_count(4 + 1)  # four other languages, and "search every…"
    await palette.locator("[role=combobox]").fill("")
    await palette.locator("[role=combobox]").press_sequentially("فارسی")
    await page.keyboard.press("Enter")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page).to_have_url(f"{base_url}/inbox/contacts")
    # In Persian the English word still finds the action, and the help opens from the palette.
    await page.keyboard.press("Control+k")
    await palette.locator("[role=combobox]").press_sequentially("shortcuts")
    await expect(palette.locator("[role=option][aria-selected=true]")).to_contain_text("میان‌برهای صفحه‌کلید")
    await page.keyboard.press("Enter")
    await expect(page.locator("#shortcuts-help")).to_be_visible()
