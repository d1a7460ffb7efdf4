"""In a real browser: the composer, two agents seeing each other, catching up after a drop, every script."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, BrowserContext, FilePayload, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import canned
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.conversation.helpers import customer_writes
from tests.support.agents import make_user

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


async def agent_page(browser: Browser, hub: Hub, base_url: str, email: str, name: str,
                     role: str = "agent") -> tuple[BrowserContext, Page]:
    await make_user(hub.db, email, role=role, name=name)
    context = await browser.new_context()
    page = await context.new_page()
    await sign_in(page, base_url, email)
    return context, page


async def open_conversation(page: Page, base_url: str, conversation_id: object) -> None:
    await page.goto(f"{base_url}/inbox/c/{conversation_id}")
    await expect(page.locator("body[data-live=connected]")).to_have_count(1)


async def test_double_click_on_send_sends_one_reply_and_slash_inserts_a_canned_response(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    conversation = await customer_writes(hub, "Is it in stock?", "b-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Minh Anh"}})
    lead = await hub.db[model.USERS].find_one({"email": "lead@x.test"})
    assert lead is not None
    await canned.create(hub.db, "stock", "In stock", "Chào {{ contact.first_name }}, yes: it is in stock.",
                        lead["_id"], utcnow())
    await open_conversation(page, base_url, conversation["_id"])

    await page.locator("#composer textarea").press_sequentially("/sto")
    await expect(page.locator("#composer .suggest li")).to_have_text(["/stock — In stock"])
    await page.keyboard.press("Enter")
    await expect(page.locator("#composer textarea")).to_have_value("Chào Minh, yes: it is in stock.")
    await page.locator("#composer [data-action=send]").dblclick()
    await expect(page.locator("#timeline .msg-out .text")).to_have_text(["Chào Minh, yes: it is in stock."])
    await expect(page.locator("#composer textarea")).to_have_value("")
    assert await hub.db[model.MESSAGES].count_documents({"direction": "out"}) == 1

    # Shortcuts: "?" shows the help, "n" starts a private note, "e" resolves.
    await page.locator("#composer textarea").press("Escape")
    await page.keyboard.press("?")
    await expect(page.locator("#shortcuts-help")).to_be_visible()
    await page.keyboard.press("Escape")
    await page.keyboard.press("n")
    await expect(page.locator('#composer [name="note"]')).to_be_checked()
    await page.locator("#composer textarea").press("Escape")
    await page.keyboard.press("e")
    await expect(page.locator(".conv-header .badge[data-status]")).to_have_text("resolved")


async def test_two_agents_see_each_other_and_a_reply_is_held_when_the_customer_wrote_meanwhile(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, ana = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    _, bo = await agent_page(browser, hub, base_url, "bo@x.test", "Bo")
    conversation = await customer_writes(hub, "Hello?", "b-2")
    await open_conversation(ana, base_url, conversation["_id"])
    await open_conversation(bo, base_url, conversation["_id"])

    await expect(ana.locator("#presence .viewer")).to_have_text("👁 Bo is viewing")
    await expect(bo.locator("#presence .viewer")).to_have_text("👁 Ana is viewing")
    await bo.locator("#composer textarea").press_sequentially("Hi, Bo")
    await expect(ana.locator("#presence .viewer.typing")).to_have_text("✎ Bo is typing…")

    await ana.locator("#composer textarea").fill("Hello, how can I help?")
    await customer_writes(hub, "Actually I found it", "b-3")
    await expect(ana.locator("#timeline .msg-in .text")).to_have_text(["Hello?", "Actually I found it"])
    await ana.locator("#composer [data-action=send]").click()
    held = ana.locator("#composer .held")
    await expect(held).to_be_visible()
    await expect(held.locator(".held-text")).to_contain_text("the customer wrote again")
    assert await hub.db[model.MESSAGES].count_documents({"direction": "out"}) == 0
    await ana.locator("[data-action=send-anyway]").click()
    await expect(ana.locator("#timeline .msg-out .text")).to_have_text(["Hello, how can I help?"])
    await expect(held).to_be_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await ana.screenshot(path=str(SHOTS / "conversation-two-agents.png"), full_page=True)


async def test_a_dropped_connection_reconnects_and_catches_up_without_duplicates(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    context, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    conversation = await customer_writes(hub, "one", "b-4")
    await open_conversation(page, base_url, conversation["_id"])
    await expect(page.locator("#timeline .msg-in")).to_have_count(1)

    await context.set_offline(True)
    await expect(page.locator("body[data-live=reconnecting]")).to_have_count(1, timeout=15_000)
    await customer_writes(hub, "two (while offline)", "b-5")
    await customer_writes(hub, "three (while offline)", "b-6")
    await context.set_offline(False)

    await expect(page.locator("body[data-live=connected]")).to_have_count(1, timeout=15_000)
    await expect(page.locator("#timeline .msg-in .text")).to_have_text(
        ["one", "two (while offline)", "three (while offline)"], timeout=15_000)
    ids = await page.locator("#timeline > li").evaluate_all("els => els.map(e => e.id)")
    assert len(ids) == len(set(ids))


async def test_arabic_persian_chinese_and_vietnamese_render_in_their_direction(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    texts = ["مرحبا، أين طلبي؟", "سلام، سفارش من کجاست؟ ۱۲۳", "你好，我的订单在哪里？",
             "Xin chào, đơn hàng của tôi đâu?"]
    conversation = None
    for i, text in enumerate(texts):
        conversation = await customer_writes(hub, text, f"rtl-{i}")
    assert conversation is not None
    # A name with a right-to-left override must not flip the header around it.
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]},
                                            {"$set": {"name": "\u202eReza Tehrani"}})
    await open_conversation(page, base_url, conversation["_id"])
    bubbles = page.locator("#timeline .msg-in .text")
    await expect(bubbles).to_have_text(texts)
    directions = await bubbles.evaluate_all("els => els.map(e => e.matches(':dir(rtl)') ? 'rtl' : 'ltr')")
    assert directions == ["rtl", "rtl", "ltr", "ltr"]
    assert await page.locator("#composer textarea").get_attribute("dir") == "auto"
    assert await page.locator('#labels-form [name="labels"]').get_attribute("dir") == "auto"
    header = await page.locator(".conv-header h2").inner_text()
    assert header == "Reza Tehrani"  # the override character is not in the page

    await page.locator("#composer textarea").fill("سلام! سفارش شما امروز ارسال می‌شود.")
    assert await page.locator("#composer textarea").evaluate("e => e.matches(':dir(rtl)')")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "conversation-every-script.png"), full_page=True)


async def test_a_file_chosen_in_the_composer_is_sent_with_the_reply_and_the_picker_is_cleared(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    conversation = await customer_writes(hub, "Can you send the invoice?", "b-files")
    await open_conversation(page, base_url, conversation["_id"])
    invoice: FilePayload = {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 invoice"}
    await page.locator('#composer input[type="file"]').set_input_files([invoice])
    # The picker is the hub's own labelled button (the browser's says "Choose Files" in its own language).
    await expect(page.locator("#composer .attach-names")).to_have_text("invoice.pdf")
    await page.locator("#composer textarea").fill("Here it is.")
    await page.locator("#composer [data-action=send]").click()
    await expect(page.locator("#timeline .msg-out .text")).to_have_text(["Here it is."])
    await expect(page.locator("#timeline .msg-out .attachment")).to_contain_text("invoice.pdf")
    assert await page.locator('#composer input[type="file"]').evaluate("i => i.files.length") == 0
    await expect(page.locator("#composer .attach-names")).to_have_text("")
    reply = await hub.db[model.MESSAGES].find_one({"direction": "out"})
    assert reply is not None
    assert [(a["filename"], a["size"]) for a in reply["attachments"]] == [("invoice.pdf", 16)]
