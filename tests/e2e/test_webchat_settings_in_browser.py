"""In a real browser: Admin → Website chat's appearance form drives a live preview (the real widget) and,
once saved, the widget on a customer's site; the pre-chat form enforces a required email; a department
outside its hours makes the chat offline and ask for the email. Screenshots: var/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, expect

from channels.webchat.look import WidgetLook
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import webchat_look
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.csat.helpers import set_status, turn_on_survey
from tests.integration.webchat.chat_settings import answering_department, closed_department
from tests.support.agents import make_user
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

FA_WEEKDAYS = ("دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه")  # Monday first

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def shop_page(base_url: str, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title></head>'
            f'<body><h1>Acme shop</h1><script src="{base_url}/widget.js" async></script></body></html>')


async def open_admin(browser: Browser, base_url: str, email: str = "boss@x.test", lang: str = "en",
                     viewport: dict[str, int] | None = None) -> Page:
    context = await browser.new_context(viewport=viewport or DESKTOP, locale=lang)  # type: ignore[arg-type]
    page = await context.new_page()
    await sign_in(page, base_url, email)
    await page.goto(f"{base_url}/admin/webchat")
    await expect(page.locator("#webchat-preview hub-chat")).to_have_count(1)
    return page


async def test_the_preview_follows_the_unsaved_form_and_the_saved_settings_reach_the_site(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "boss@x.test", role="admin")
    await answering_department(hub, "Sales", first_response=1800)
    page = await open_admin(browser, base_url)
    preview = page.locator("#webchat-preview hub-chat")
    await expect(preview.locator(".hubchat-title")).to_have_text("Chat with us")

    await page.fill("#look-form input[name=title]", "Acme help desk")
    await page.locator("#look-form input[name=colour]").evaluate(
        "(el) => { el.value = '#aa3300'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    await page.fill("#look-form textarea[name=greeting]", "Hi! Ask us about your order.")
    await page.select_option("#look-form select[name=position]", "left")
    await page.select_option("#look-form select[name=department_id]", label="Sales")
    await expect(preview.locator(".hubchat-title")).to_have_text("Acme help desk")
    await expect(preview.locator(".hubchat-header")).to_have_css("background-color", "rgb(170, 51, 0)")
    await expect(preview.locator(".hubchat-greeting")).to_have_text("Hi! Ask us about your order.")
    await expect(preview.locator(".hubchat")).to_have_attribute("data-position", "left")
    await expect(preview.locator(".hubchat-hours")).to_have_text("We usually reply within 30 minutes")
    assert (await webchat_look.look(hub.db)).title == ""  # nothing saved yet
    await page.screenshot(path=str(SHOTS / "admin-webchat-look-desktop-en.png"), full_page=True)

    await page.click("#look-form button[type=submit]")
    await expect(page.locator("#look-saved")).to_be_visible()
    saved = await webchat_look.look(hub.db)
    assert (saved.title, saved.colour, saved.position) == ("Acme help desk", "#aa3300", "left")
    await page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    await page.screenshot(path=str(SHOTS / "admin-webchat-look-phone-en.png"), full_page=True)

    visitor = await (await browser.new_context(viewport=DESKTOP)).new_page()  # type: ignore[arg-type]
    await visitor.goto(serve(shop, "home", shop_page(base_url)))
    await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await expect(visitor.locator(".hubchat-bubble")).to_have_css("background-color", "rgb(170, 51, 0)")
    box = await visitor.locator(".hubchat-bubble").bounding_box()
    assert box is not None and box["x"] < 200  # bottom left
    await visitor.click(".hubchat-bubble")
    await expect(visitor.locator(".hubchat-title")).to_have_text("Acme help desk")
    await expect(visitor.locator(".hubchat-greeting")).to_have_text("Hi! Ask us about your order.")
    await expect(visitor.locator(".hubchat-hours")).to_have_text("We usually reply within 30 minutes")
    await visitor.screenshot(path=str(SHOTS / "widget-look-desktop-en.png"))


async def test_the_admin_page_in_persian_on_a_phone_lays_out_right_to_left_with_its_preview(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "boss@x.test", role="admin")
    await hub.db["users"].update_one({"email": "boss@x.test"}, {"$set": {"language": "fa"}})
    page = await open_admin(browser, base_url, lang="fa", viewport=PHONE)
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("#appearance h2")).to_have_text("ظاهر و خوشامد")
    preview = page.locator("#webchat-preview hub-chat")
    await expect(preview.locator(".hubchat")).to_have_attribute("dir", "rtl")
    await page.check("#look-form input[name=prechat]")
    await page.select_option("#look-form select[name='fields.email']", "required")
    await expect(preview.locator(".hubchat-prechat")).to_be_visible()
    await page.screenshot(path=str(SHOTS / "admin-webchat-look-phone-fa.png"), full_page=True)
    await page.locator("#webchat-preview").screenshot(path=str(SHOTS / "admin-webchat-preview-phone-fa.png"))
    await page.set_viewport_size(DESKTOP)  # type: ignore[arg-type]
    await page.screenshot(path=str(SHOTS / "admin-webchat-look-desktop-fa.png"), full_page=True)


async def test_the_pre_chat_form_will_not_start_without_the_required_email(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await webchat_look.save_look(hub.db, WidgetLook(
        prechat=True, fields={"name": "optional", "email": "required", "question": "required"},
        greeting="Hello! Tell us what you need."), utcnow())
    for lang, viewport, name in (("en", DESKTOP, "desktop"), ("fa", PHONE, "phone")):
        visitor = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
        await visitor.goto(serve(shop, f"form-{lang}", shop_page(base_url, lang)))
        await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await visitor.click(".hubchat-bubble")
        form = visitor.locator(".hubchat-prechat")
        await expect(form).to_be_visible()
        await expect(visitor.locator(".hubchat-form")).to_be_hidden()
        await form.locator("input[name=name]").fill("Sara" if lang == "en" else "سارا")
        await form.locator("textarea[name=question]").fill("Where is my order?" if lang == "en" else "سفارشم کجاست؟")
        await form.locator(".hubchat-start").click()
        await expect(form.locator("#hubchat-err-email")).to_have_text(
            "Please fill this in" if lang == "en" else "لطفاً این را پر کنید")
        await expect(form.locator("input[name=email]")).to_have_attribute("aria-invalid", "true")
        await form.locator("input[name=email]").fill("sara-at-example")
        await form.locator(".hubchat-start").click()
        await expect(form.locator("#hubchat-err-email")).not_to_have_text("")
        await visitor.screenshot(path=str(SHOTS / f"widget-prechat-{name}-{lang}.png"))
        assert await hub.db["messages"].count_documents({"direction": "in"}) == (0 if lang == "en" else 1)

        await form.locator("input[name=email]").fill(f"sara.{lang}@example.com")
        await form.locator(".hubchat-start").click()
        await expect(form).to_be_hidden()
        await expect(visitor.locator(".hubchat-form")).to_be_visible()
        await expect(visitor.locator(".hubchat-me .hubchat-tick")).to_have_text("✓")
        await expect(visitor.locator(".hubchat-log > li")).to_have_count(2)  # the greeting, then the question
        await visitor.screenshot(path=str(SHOTS / f"widget-after-prechat-{name}-{lang}.png"))
    claimed = await hub.db["contacts"].find_one({"claims.value": "sara.en@example.com"})
    assert claimed is not None and claimed["name"] == "Sara"


async def test_outside_the_departments_hours_the_widget_says_offline_and_requires_the_email(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    night = await closed_department(hub)
    reopens = utcnow().date() + timedelta(days=2)
    await webchat_look.save_look(hub.db, WidgetLook(department_id=str(night["_id"])), utcnow())
    for lang, viewport, name in (("en", DESKTOP, "desktop"), ("fa", PHONE, "phone")):
        context = await browser.new_context(viewport=viewport, timezone_id="UTC")  # type: ignore[arg-type]
        visitor = await context.new_page()
        await visitor.goto(serve(shop, f"night-{lang}", shop_page(base_url, lang)))
        await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
        await visitor.click(".hubchat-bubble")
        # Closed today and tomorrow (holidays), open again the day after at 00:00 UTC: said in the
        # visitor's language, with the weekday.
        await expect(visitor.locator(".hubchat[data-online='0'] .hubchat-hours")).to_have_text(
            re.compile(rf"^We're offline until {reopens:%A} 12:00\sAM — leave your email and we'll reply$")
            if lang == "en" else re.compile(rf"^تا {FA_WEEKDAYS[reopens.weekday()]}.* آفلاین هستیم — ایمیل"))
        form = visitor.locator(".hubchat-prechat")
        await expect(form.locator("input[name=email]")).to_have_attribute("aria-required", "true")
        await visitor.screenshot(path=str(SHOTS / f"widget-offline-{name}-{lang}.png"))
        await form.locator("input[name=email]").fill(f"night.{lang}@example.com")
        await form.locator(".hubchat-start").click()
        await expect(form).to_be_hidden()
        await visitor.fill(".hubchat-form textarea", "Is the shop open tomorrow?")
        await visitor.keyboard.press("Enter")
        await expect(visitor.locator(".hubchat-me .hubchat-tick")).to_have_text("✓")
    left = await hub.db["conversations"].find({}).to_list(5)
    assert len(left) == 2 and {c["department_id"] for c in left} == {night["_id"]}


async def test_a_resolved_chat_shows_the_stars_once_and_the_rating_reaches_the_agents_timeline(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await webchat_look.save_look(hub.db, WidgetLook(greeting="Hi! How can we help?"), utcnow())
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await turn_on_survey(hub, http, base_url, delay=0)  # signed in as root@x.test, an admin
        for lang, viewport, name in (("en", DESKTOP, "desktop"), ("fa", PHONE, "phone")):
            visitor = await (await browser.new_context(viewport=viewport)).new_page()  # type: ignore[arg-type]
            await visitor.goto(serve(shop, f"rate-{lang}", shop_page(base_url, lang)))
            await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
            await visitor.click(".hubchat-bubble")
            await visitor.fill(".hubchat-form textarea", f"my parcel is late ({lang})")
            await visitor.keyboard.press("Enter")
            await expect(visitor.locator(".hubchat-me .hubchat-tick")).to_have_text("✓")
            said = await hub.db["messages"].find_one({"text": f"my parcel is late ({lang})"})
            assert said is not None
            conversation = await hub.db["conversations"].find_one({"_id": said["conversation_id"]})
            assert conversation is not None
            await set_status(http, base_url, csrf, str(conversation["_id"]), "resolved")

            prompt = visitor.locator(".hubchat-rating")
            await expect(prompt.locator(".hubchat-star")).to_have_count(5)
            await prompt.locator(".hubchat-rate-send").click()  # no stars chosen yet: asked to choose
            await expect(prompt.locator(".hubchat-field-error")).not_to_have_text("")
            await prompt.locator(".hubchat-star").nth(3).click()
            await expect(prompt.locator(".hubchat-star-on")).to_have_count(4)
            await prompt.locator(".hubchat-rate-comment").fill("quick and kind" if lang == "en" else "سریع و مهربان")
            await visitor.screenshot(path=str(SHOTS / f"widget-rating-{name}-{lang}.png"))
            await prompt.locator(".hubchat-rate-send").click()
            await expect(prompt.locator(".hubchat-rate-thanks")).to_be_visible()
            await visitor.screenshot(path=str(SHOTS / f"widget-rated-{name}-{lang}.png"))
            await visitor.reload()  # asked once: a reload shows the thanks, not the stars
            await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
            await expect(visitor.locator(".hubchat-rating[data-rated='4']")).to_have_count(1)
            await expect(visitor.locator(".hubchat-star")).to_have_count(0)

            stored = await hub.db["csat_responses"].find_one({"conversation_id": conversation["_id"]})
            assert stored is not None and (stored["score"], stored["channel"]) == (4, "webchat")

        assert conversation is not None
        agent = await (await browser.new_context(viewport=DESKTOP)).new_page()  # type: ignore[arg-type]
        await sign_in(agent, base_url, "root@x.test")
        await agent.goto(f"{base_url}/inbox/c/{conversation['_id']}")
        await expect(agent.locator(".event-rating")).to_contain_text("4")
        await expect(agent.locator(".event-rating")).to_contain_text("سریع و مهربان")
        await expect(agent.locator(".event-greeting")).to_contain_text("Hi! How can we help?")
        await agent.screenshot(path=str(SHOTS / "agent-timeline-webchat-rating-desktop-en.png"), full_page=True)


async def test_a_message_the_hub_refuses_for_a_missing_email_waits_in_the_form_and_then_goes(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    visitor = await (await browser.new_context(viewport=DESKTOP)).new_page()  # type: ignore[arg-type]
    await visitor.goto(serve(shop, "late", shop_page(base_url)))
    await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await visitor.click(".hubchat-bubble")
    await expect(visitor.locator(".hubchat-prechat")).to_be_hidden()  # open and no form when the page loaded
    night = await closed_department(hub)  # then the department closes
    await webchat_look.save_look(hub.db, WidgetLook(department_id=str(night["_id"])), utcnow())

    await visitor.fill(".hubchat-form textarea", "are you there?")
    await visitor.keyboard.press("Enter")
    form = visitor.locator(".hubchat-prechat")
    await expect(form).to_be_visible()
    await expect(form.locator("#hubchat-err-email")).to_have_text("Please fill this in")
    await expect(visitor.locator(".hubchat-me")).to_have_count(0)  # held back, not shown as sent
    await form.locator("input[name=email]").fill("late@example.com")
    await form.locator(".hubchat-start").click()
    await expect(form).to_be_hidden()
    await expect(visitor.locator(".hubchat-me .hubchat-text")).to_have_text(["are you there?"])
    await expect(visitor.locator(".hubchat-me .hubchat-tick")).to_have_text("✓")
    said = await hub.db["messages"].find_one({"text": "are you there?"})
    assert said is not None
