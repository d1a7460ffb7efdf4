"""In a real browser: a Persian user gets a mirrored inbox in Persian, times in the Solar Hijri calendar
with Persian digits (the exact time on hover); a Chinese user gets Chinese. Screenshots of both go to
var/screenshots/ (set HUB_I18N_SHOTS to write them elsewhere)."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from hub import names as model
from hub.runtime import Hub
from hub.store import users
from hub.store.documents import Conversation
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.conversation.helpers import customer_writes
from tests.support.agents import make_user

SHOTS = Path(os.environ.get("HUB_I18N_SHOTS") or Path(__file__).resolve().parents[2] / "var" / "screenshots")
NOWRUZ = datetime(2026, 3, 21, 8, 30, tzinfo=UTC)  # 1 Farvardin 1405 in the Solar Hijri calendar
PERSIAN_DIGITS = re.compile("[۰-۹]")


async def _user_in(browser: Browser, hub: Hub, base_url: str, email: str, language: str,
                   size: tuple[int, int] = (1440, 900)) -> Page:
    role = "admin" if language == "vi" else "lead"
    user = await make_user(hub.db, email, role=role, name=email.split("@")[0].title())
    await users.set_language(hub.db, user["_id"], language, NOWRUZ)
    context = await browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="en-US",
                                        timezone_id="Asia/Tehran")
    page = await context.new_page()
    await sign_in(page, base_url, email)
    return page


async def _an_old_conversation(hub: Hub, text: str, external_id: str) -> Conversation:
    conversation = await customer_writes(hub, text, external_id)
    await hub.db[model.MESSAGES].update_many({"conversation_id": conversation["_id"]}, {"$set": {"created_at": NOWRUZ}})
    await hub.db[model.CONVERSATIONS].update_one({"_id": conversation["_id"]}, {"$set": {"last_message_at": NOWRUZ}})
    return conversation


async def _shoot(page: Page, name: str) -> None:
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # Playwright makes the folder


async def test_a_persian_user_sees_a_mirrored_persian_inbox_and_solar_hijri_times(
        hub: Hub, base_url: str, browser: Browser) -> None:
    conversation = await _an_old_conversation(hub, "سلام، سفارش من کجاست؟", "fa-1")
    page = await _user_in(browser, hub, base_url, "pari@x.test", "fa")

    html = page.locator("html")
    await expect(html).to_have_attribute("lang", "fa")
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(page.locator("header.topbar button[type=submit]")).to_have_text("خروج")
    await expect(page.locator(".topbar a[href='/admin']")).to_have_text("مدیریت")
    await _shoot(page, "inbox-fa-1440")

    await page.goto(f"{base_url}/inbox/c/{conversation['_id']}")
    sent = page.locator("#timeline time.localized").first
    await expect(sent).to_have_count(1)
    shown, title = await sent.text_content() or "", await sent.get_attribute("title") or ""
    assert PERSIAN_DIGITS.search(shown) and not re.search("[0-9]", shown), shown
    assert "۱ فروردین" in shown and "۱۲:۰۰" in shown, shown  # 1 Farvardin, 12:00 in Tehran (UTC+3:30)
    assert "۱۴۰۵" in title and "۱۲:۰۰:۰۰" in title, title  # the exact time, with its Solar Hijri year, on hover
    await expect(page.locator("#composer select[name=channel] option")).to_have_text(["گفتگوی وب"])
    await page.set_viewport_size({"width": 390, "height": 844})  # the back link shows where the list is hidden
    back = page.locator(".conv-nav .conv-back .icon-dir")
    await expect(back).to_be_visible()
    assert await back.evaluate("el => getComputedStyle(el).transform") != "none"  # "←" points the RTL way
    await page.set_viewport_size({"width": 1440, "height": 900})
    await _shoot(page, "conversation-fa-1440")


async def test_a_chinese_user_sees_chinese_and_recent_times_are_relative(
        hub: Hub, base_url: str, browser: Browser) -> None:
    fresh = await customer_writes(hub, "你好，我的订单在哪里？", "zh-1")
    page = await _user_in(browser, hub, base_url, "li@x.test", "zh")

    await expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await expect(page.locator("header.topbar button[type=submit]")).to_have_text("退出登录")
    listed = page.locator("#conversation-list time.localized").first
    await expect(listed).to_have_text(re.compile("现在|秒|分钟"))  # "now", "… min ago": just written
    assert "2026" in (await listed.get_attribute("title") or "")
    await _shoot(page, "inbox-zh-1440")
    await page.goto(f"{base_url}/inbox/c/{fresh['_id']}")
    await expect(page.locator("#composer [data-action=send]")).to_have_text("发送")
    await _shoot(page, "conversation-zh-1440")


async def test_screens_in_persian_and_chinese_at_phone_size(hub: Hub, base_url: str, browser: Browser) -> None:
    conversation = await _an_old_conversation(hub, "سلام", "m-1")
    for email, language in (("mina@x.test", "fa"), ("wei@x.test", "zh")):
        page = await _user_in(browser, hub, base_url, email, language, size=(390, 844))
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        await _shoot(page, f"inbox-{language}-390")
        await page.goto(f"{base_url}/inbox/c/{conversation['_id']}")
        await expect(page.locator("#timeline time.localized").first).to_have_count(1)
        await _shoot(page, f"conversation-{language}-390")
        assert overflow <= 0, f"the {language} inbox is wider than a phone by {overflow}px"


async def test_sla_seconds_show_as_a_duration_in_the_admins_language(hub: Hub, base_url: str, browser: Browser) -> None:
    page = await _user_in(browser, hub, base_url, "an@x.test", "vi")
    department = await users.department_by_name(hub.db, "Support")
    assert department is not None
    await page.goto(f"{base_url}/admin/departments/{department['_id']}")
    first = page.locator('input[name="sla.high.first_response"]')
    await first.fill("5400")
    await expect(first.locator("xpath=following-sibling::output[1]")).to_have_text("1 giờ 30 phút")
    await first.fill("")
    await expect(first.locator("xpath=following-sibling::output[1]")).to_have_text("")
