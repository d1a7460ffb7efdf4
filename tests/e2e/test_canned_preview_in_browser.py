"""In Chromium: an agent keeps a personal canned response on /inbox/canned, then types "/" in the composer,
sees theirs first, reads the preview filled in for the customer, moves with the arrows and inserts with Enter."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import canned
from tests.e2e.test_conversation_page_in_browser import agent_page, open_conversation
from tests.integration.conversation.helpers import customer_writes

SHOTS = Path("/tmp/cannedshots")


def shots_folder() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def test_agent_sees_personal_first_previews_it_with_the_customers_name_and_inserts_it_with_enter(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    shots = shots_folder()
    context, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana Agent")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    ana = await hub.db[model.USERS].find_one({"email": "ana@x.test"})
    assert ana is not None
    await canned.create(hub.db, "hello", "Greeting", "Hello {{ contact.first_name }}, how can I help?", ana["_id"],
                        utcnow())
    await canned.create(hub.db, "owes", "Balance", "You owe {{ 10 / contact.tags | length }}", ana["_id"], utcnow())
    await canned.create(hub.db, "hi-fa", "خوشامدگویی", "سلام {{ contact.first_name }} عزیز، چطور می‌توانم کمکتان کنم؟",
                        ana["_id"], utcnow())

    await page.goto(f"{base_url}/inbox/canned")
    form = page.locator("#new-canned")
    await form.locator("input[name=shortcut]").fill("/Thanks")
    await form.locator("input[name=title]").fill("My thanks")
    await form.locator("textarea[name=body]").fill("Thanks {{ contact.name }}, I'm on it. — {{ agent.first_name }}")
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#my-canned tr[data-canned=thanks]")).to_contain_text("My thanks")
    await page.screenshot(path=str(shots / "my-canned-1440x900.png"), full_page=True)
    [mine] = await canned.in_scopes(hub.db, [canned.scope_key(ana["_id"], None)])
    assert mine["shortcut"] == "thanks" and mine["owner_id"] == ana["_id"]

    conversation = await customer_writes(hub, "Where is my parcel?", "p-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Parisa Ahmadi"}})
    await open_conversation(page, base_url, conversation["_id"])
    textarea = page.locator("#composer textarea")
    await textarea.press_sequentially("/")
    items = page.locator("#composer .suggest li")
    await expect(items).to_have_text(["/thanks — My thanks", "/hello — Greeting", "/hi-fa — خوشامدگویی",
                                      "/owes — Balance"])
    await expect(items.first).to_have_attribute("data-scope", "personal")
    await expect(items.first).to_have_attribute("aria-selected", "true")
    preview = page.locator("#composer .suggest-preview")
    await expect(preview).to_have_text("Thanks Parisa Ahmadi, I'm on it. — Ana")
    await expect(page.locator("#composer .suggest-variables")).to_contain_text("{{ contact.name }}")
    for width, height in ((1440, 900), (390, 844)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.locator("#composer").scroll_into_view_if_needed()
        await page.screenshot(path=str(shots / f"canned-preview-{width}x{height}.png"))

    await page.keyboard.press("ArrowDown")
    await expect(preview).to_have_text("Hello Parisa, how can I help?")
    await page.keyboard.press("ArrowUp")
    await page.keyboard.press("ArrowUp")  # wraps to the last: a template this customer's values break
    await expect(preview).to_have_text("The canned response could not be rendered: division by zero")
    await expect(preview).to_have_class("suggest-preview error")
    await page.keyboard.press("ArrowUp")
    await expect(preview).to_have_text("سلام Parisa عزیز، چطور می‌توانم کمکتان کنم؟")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await page.screenshot(path=str(shots / "canned-preview-persian-1440x900.png"))
    await page.keyboard.press("Escape")
    await expect(page.locator("#composer .suggest-box")).to_be_hidden()
    await expect(textarea).to_have_value("/")

    await textarea.press_sequentially("t")
    await expect(items).to_have_text(["/thanks — My thanks"])
    await expect(preview).to_have_text("Thanks Parisa Ahmadi, I'm on it. — Ana")
    await page.keyboard.press("Enter")
    await expect(textarea).to_have_value("Thanks Parisa Ahmadi, I'm on it. — Ana")
    await expect(page.locator("#composer .suggest-box")).to_be_hidden()
    assert await hub.db[model.MESSAGES].count_documents({"direction": "out"}) == 0  # inserted, not sent
    assert not [e for e in errors if "status of 400" not in e], errors  # the 400 is the broken one's preview
    await context.close()
