"""In a real browser: the top bar is the hub's own — the agent's status set there holds, the theme
choice is on <html> before the body is drawn and survives a reload, a skip link reaches the main
content, no screen scrolls sideways on a phone, and every control says what it is to a screen reader.
Screenshots of the chrome and each secondary screen (light and dark, LTR and RTL, desktop and phone)
go to var/screenshots/design-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import canned, users
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.conversation.helpers import customer_writes
from tests.support.agents import make_user

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# Records, the moment <body> enters the document, whether <html> already carries the theme: the
# page is then never drawn in the other one first.
THEME_AT_BODY = """
new MutationObserver(function (changes, observer) {
  if (!document.body) return;
  window.__themeAtBody = document.documentElement.getAttribute("data-theme") || "none";
  observer.disconnect();
}).observe(document, {childList: true, subtree: true});
"""

# Every element drawn outside the viewport's width that no sideways-scrolling box of its own holds.
STICKING_OUT = """
() => {
  const width = document.documentElement.clientWidth, out = [];
  const held = ["auto", "scroll", "hidden", "clip"];
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (held.includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
    if ((r.right > width + 1 || r.left < -1) && !scrolls(el)) {
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width: width, out: out.slice(0, 5)};
}
"""


async def _person(browser: Browser, hub: Hub, base_url: str, email: str, role: str = "agent",
                  language: str | None = None, viewport: dict[str, int] | None = None,
                  name: str | None = None) -> tuple[BrowserContext, Page]:
    user = await make_user(hub.db, email, role=role, name=name)
    if language:
        await users.set_language(hub.db, user["_id"], language, utcnow())
    context = await browser.new_context(viewport=viewport or DESKTOP)  # type: ignore[arg-type]
    page = await context.new_page()
    await sign_in(page, base_url, email)
    return context, page


async def _luminance_of_background(page: Page) -> float:
    colour = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    r, g, b = (int(x) for x in re.findall(r"\d+", colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


async def test_an_agent_sets_away_from_the_top_bar_and_it_holds_after_a_reload(
        hub: Hub, base_url: str, browser: Browser) -> None:
    _, page = await _person(browser, hub, base_url, "ana@x.test", name="Ana Agent")
    status = page.locator("header.topbar [data-my-status-select]")
    await expect(status).to_have_value("online")
    await expect(status.locator("option")).to_have_text(["Online", "Away", "Offline"])

    await status.select_option("away")
    await expect(page.locator("header.topbar [data-my-status]")).to_have_attribute("data-my-status", "away")
    await expect(page.locator("#toasts .toast")).to_have_text("Status set to Away.")
    stored = await hub.db[model.USERS].find_one({"email": "ana@x.test"})
    assert stored is not None and stored["status"] == "away"

    await page.reload()
    await expect(page.locator("header.topbar [data-my-status-select]")).to_have_value("away")
    await expect(page.locator("header.topbar [data-my-status]")).to_have_attribute("data-my-status", "away")

    await page.locator("header.topbar [data-my-status-select]").select_option("online")
    await expect(page.locator("header.topbar [data-my-status]")).to_have_attribute("data-my-status", "online")
    lead_context, lead = await _person(browser, hub, base_url, "lena@x.test", role="lead", name="Lena Lead")
    seen = await lead.request.get(f"{base_url}/api/v1/agents")
    agents = {a["name"]: a for a in (await seen.json())["agents"]}
    assert agents["Ana Agent"]["status"] == "online"  # what routing and the team page now see
    await lead_context.close()


async def test_a_lead_who_takes_no_conversations_has_no_status_to_set(
        hub: Hub, base_url: str, browser: Browser) -> None:
    _, page = await _person(browser, hub, base_url, "lena@x.test", role="lead")
    await expect(page.locator("header.topbar a[href='/inbox/team']")).to_have_count(1)
    await expect(page.locator("header.topbar [data-my-status-select]")).to_have_count(0)


async def test_the_dark_theme_is_on_before_the_body_is_drawn_and_survives_a_reload(
        hub: Hub, base_url: str, browser: Browser) -> None:
    context, page = await _person(browser, hub, base_url, "ana@x.test")
    await context.add_init_script(THEME_AT_BODY)
    assert await _luminance_of_background(page) > 0.9  # light by default (the system is light here)

    await page.locator("header.topbar details[data-user-menu] > summary").click()
    await page.locator("[data-theme-choice] input[value=dark]").check()
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert await _luminance_of_background(page) < 0.15

    await page.reload()
    await expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert await page.evaluate("window.__themeAtBody") == "dark"  # set by theme.js before the body: no light flash
    assert await _luminance_of_background(page) < 0.15
    await page.goto(f"{base_url}/profile")
    assert await page.evaluate("window.__themeAtBody") == "dark"

    # "As the system": the attribute goes, and the page follows the system's dark preference.
    await page.locator("header.topbar details[data-user-menu] > summary").click()
    await page.locator("[data-theme-choice] input[value=system]").check()
    await expect(page.locator("html")).not_to_have_attribute("data-theme", re.compile("."))
    assert await _luminance_of_background(page) > 0.9
    await page.emulate_media(color_scheme="dark")
    assert await _luminance_of_background(page) < 0.15


async def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
        hub: Hub, base_url: str, browser: Browser) -> None:
    _, page = await _person(browser, hub, base_url, "ana@x.test")
    await page.goto(f"{base_url}/inbox/contacts")
    await page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_in_viewport()  # shown while it has the focus
    await page.keyboard.press("Enter")
    await expect(page.locator("main#main")).to_be_focused()
    assert await page.evaluate("document.querySelector('header').getAttribute('role') || 'banner'") == "banner"
    await expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    await expect(page.get_by_role("main")).to_have_count(1)


async def test_on_a_phone_no_screen_scrolls_sideways_and_the_menu_button_opens_the_navigation(
        hub: Hub, base_url: str, browser: Browser) -> None:
    await customer_writes(hub, "سلام، سفارش شماره ۱۲۳۴۵ من هنوز نرسیده است. لطفاً پیگیری کنید", "p-1")
    _, page = await _person(browser, hub, base_url, "ada@x.test", role="admin", viewport=PHONE,
                            name="Ada Administrator")
    for path in ("/inbox", "/inbox/contacts", "/inbox/team", "/inbox/search?q=x", "/admin/users", "/admin/routing",
                 "/admin/canned", "/profile", "/inbox/canned"):
        await page.goto(f"{base_url}{path}")
        found = await page.evaluate(STICKING_OUT)
        assert found["scrollWidth"] <= found["width"] and not found["out"], (path, found)

    nav = page.locator("#topbar-nav")
    await expect(nav).to_be_hidden()
    await page.locator("[data-topbar-toggle]").click()
    await expect(nav).to_be_visible()
    await expect(page.locator("[data-topbar-toggle]")).to_have_attribute("aria-expanded", "true")
    await nav.locator("a[href='/inbox/contacts']").click()
    await expect(page).to_have_url(f"{base_url}/inbox/contacts")


async def test_every_button_link_and_field_on_the_chrome_and_secondary_screens_has_an_accessible_name(
        hub: Hub, base_url: str, browser: Browser) -> None:
    conversation = await customer_writes(hub, "Where is my order?", "n-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Minh Anh"}})
    _, page = await _person(browser, hub, base_url, "ada@x.test", role="admin")
    await make_user(hub.db, "ana@x.test", name="Ana Agent")
    for path in ("/inbox", "/inbox/contacts", f"/inbox/contacts/{conversation['contact_id']}", "/inbox/team",
                 "/inbox/search?q=order", "/admin/users", "/admin/departments", "/admin/canned", "/admin/custom-fields",
                 "/profile", "/inbox/canned"):
        await page.goto(f"{base_url}{path}")
        await page.locator("header.topbar details[data-user-menu] > summary").click()  # its items count too
        await page.locator(".bell-button").click()
        controls = page.locator("button:visible, a[href]:visible, summary:visible, [role=button]:visible, "
                                "select:visible, input:not([type=hidden]):visible, textarea:visible")
        count = await controls.count()
        assert count > 5, path
        for i in range(count):
            control = controls.nth(i)
            what = await control.evaluate("el => el.outerHTML.slice(0, 160)")
            await expect(control, f"{path}: {what}").to_have_accessible_name(re.compile(r"\S"))


async def _shoot(page: Page, name: str, full: bool = True) -> None:
    await page.screenshot(path=str(SHOTS / f"design-{name}.png"), full_page=full)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "fa"])
async def test_screenshots_of_the_chrome_and_the_secondary_screens(
        hub: Hub, base_url: str, browser: Browser, theme: str, language: str) -> None:
    first = await customer_writes(hub, "Hello, my parcel has not arrived yet.", "s-1", visitor="v-1")
    await hub.db[model.CONTACTS].update_one({"_id": first["contact_id"]},
                                            {"$set": {"name": "Nguyễn Văn Đức", "tags": ["vip", "wholesale"]}})
    second = await customer_writes(hub, "سلام، سفارش من کجاست؟", "s-2", visitor="v-2")
    await hub.db[model.CONTACTS].update_one({"_id": second["contact_id"]}, {"$set": {"name": "رضا احمدی"}})
    admin = await make_user(hub.db, "ada@x.test", role="admin", name="Ada Admin")
    await make_user(hub.db, "ana@x.test", name="Ana Agent")
    await canned.create(hub.db, "thanks", "Thanks", "Thank you {{ contact.first_name }}!", admin["_id"], utcnow())
    screens = {"inbox": "/inbox", "contacts": "/inbox/contacts", "contact": f"/inbox/contacts/{first['contact_id']}",
               "team": "/inbox/team", "search": "/inbox/search?q=parcel", "search-empty": "/inbox/search?q=no-such",
               "profile": "/profile", "canned": "/inbox/canned", "admin-users": "/admin/users",
               "admin-canned": "/admin/canned", "admin-fields": "/admin/custom-fields",
               "error": "/inbox/contacts/000000000000000000000000"}
    for size_name, size in (("1440", DESKTOP), ("390", PHONE)):
        context = await browser.new_context(viewport=size)  # type: ignore[arg-type]
        await context.add_init_script(f"localStorage.setItem('hub-theme', '{theme}')")
        page = await context.new_page()
        await page.goto(f"{base_url}/login")
        if language == "en":
            await _shoot(page, f"login-{theme}-en-{size_name}")
        email = f"{theme}-{language}-{size_name}@x.test"
        name = "Ada Admin" if language == "en" else "آدا مدیر"
        user = await make_user(hub.db, email, role="admin", name=name)
        await hub.db[model.USERS].update_one({"_id": user["_id"]},
                                             {"$set": {"routable": True, "status": "online"}})
        if language != "en":
            await users.set_language(hub.db, user["_id"], language, utcnow())
        await sign_in(page, base_url, email)
        suffix = f"{theme}-{language}-{size_name}"
        await page.locator("header.topbar details[data-user-menu] > summary").click()
        await page.screenshot(path=str(SHOTS / f"design-topbar-menu-{suffix}.png"),
                              clip={"x": 0, "y": 0, "width": size["width"], "height": 420})
        await page.keyboard.press("Escape")
        if size is PHONE:
            await page.locator("[data-topbar-toggle]").click()
            await page.screenshot(path=str(SHOTS / f"design-topbar-nav-{suffix}.png"),
                                  clip={"x": 0, "y": 0, "width": size["width"], "height": 360})
        await page.locator(".bell-button").click()
        await page.screenshot(path=str(SHOTS / f"design-bell-{suffix}.png"),
                              clip={"x": 0, "y": 0, "width": size["width"], "height": 520})
        for name, path in screens.items():
            await page.goto(f"{base_url}{path}")
            await _shoot(page, f"{name}-{suffix}")
        await context.close()
