"""In a real browser: the conversation header names the customer (never a visitor's token) with their channels,
a lead moves the conversation from it, priority and labels save as they change, routing reads as one line."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.integration.routing.support import agent, conversation, department, writes

VISITOR = "3f9a2c7e1b5d4c0a9e8f"  # a website visitor's token, as the widget makes them


async def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / name), full_page=True)


async def test_an_anonymous_visitor_is_a_web_visitor_with_channel_icons_and_routing_is_one_line_with_a_why(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await agent(hub, "sina@x.test", name="Sina Support", status="offline")
    started = await writes(hub, "Hello, is anyone there?", VISITOR)
    await hub.db[model.CONTACTS].update_one({"_id": started.conversation["contact_id"]},
                                            {"$set": {"identities": [{"kind": "webchat", "value": VISITOR},
                                                                     {"kind": "email", "value": "guest@example.com"}],
                                                      "attributes": {"city": "Shiraz"}}})
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await open_conversation(page, base_url, started.conversation["_id"])

    header = page.locator(".conv-header")
    await expect(header.locator("h2")).to_have_text("Web visitor")
    await expect(header.locator(".conv-hint")).to_have_text("guest@example.com")
    await expect(header.locator(".conv-channels li.ch-webchat svg[aria-label='Web chat']")).to_have_count(1)
    for place in (".conv-header", "#conversation-sidebar", "#timeline"):
        assert VISITOR[:6] not in await page.locator(place).inner_text(), f"the visitor's token shows in {place}"
    assert VISITOR[:6] not in await page.title()
    await expect(page.locator(".contact-identities [data-kind=email]")).to_have_text("guest@example.com")

    routing = page.locator("#timeline .event-routing")
    await expect(routing).to_have_count(1)
    await expect(routing.locator(".event-line")).to_have_text("Routed to Support — waiting for an agent")
    details = routing.locator(".why-details")
    await expect(details).to_be_hidden()
    await routing.locator("summary").click()
    await expect(details).to_be_visible()
    await expect(details.locator(".why-record")).to_contain_text("Rules version")  # the engineer's record, kept

    await page.locator("#routing-why summary").click()
    await expect(page.locator("#routing-why .why-line")).to_have_text("Routed to Support — waiting for an agent")
    await shoot(page, "conversation-header.png")
    await page.locator("#conversation-sidebar").screenshot(path=str(SHOTS / "conversation-sidebar.png"))

    await page.set_viewport_size({"width": 390, "height": 844})
    lead = await hub.db[model.USERS].find_one({"email": "lead@x.test"})
    assert lead is not None
    await users.set_language(hub.db, lead["_id"], "fa", utcnow())
    await page.goto(f"{base_url}/inbox/c/{started.conversation['_id']}")
    await expect(page.locator("html[dir=rtl]")).to_have_count(1)
    await expect(page.locator(".conv-header h2")).not_to_have_text("Web visitor")  # translated
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    await shoot(page, "conversation-header-rtl-phone.png")
    await page.locator(".conv-nav [data-action=toggle-sidebar]").click()  # on a phone the sidebar is a drawer
    await expect(page.locator("#conversation-sidebar")).to_be_visible()
    await page.locator("#conversation-sidebar").screenshot(path=str(SHOTS / "conversation-sidebar-rtl-phone.png"))


async def test_a_lead_transfers_with_a_note_from_the_header_and_the_timeline_says_so(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await agent(hub, "sina@x.test", name="Sina Support")
    await department(hub, "Billing")
    started = await writes(hub, "I was charged twice", VISITOR)
    await hub.db[model.CONTACTS].update_one({"_id": started.conversation["contact_id"]}, {"$set": {"name": "Mina"}})
    _, page = await agent_page(browser, hub, base_url, "lead@x.test", "Lena Lead", role="lead")
    await open_conversation(page, base_url, started.conversation["_id"])
    await expect(page.locator(".conv-header .assignee")).to_have_text("Sina Support")
    await expect(page.locator("#timeline .event-routing .event-line")).to_have_text(
        "Assigned to Sina Support — the only one available in Support")

    await page.locator(".conv-header [data-action=transfer-menu]").click()
    menu = page.locator("#transfer-menu")
    await expect(menu).to_be_visible()
    await menu.locator("select[name=department_id]").select_option(label="Billing")
    await menu.locator("textarea[name=note]").fill("Double charge on the card ending 4242")
    await shoot(page, "conversation-transfer-menu.png")
    await menu.locator("[data-action=transfer-submit]").click()

    await expect(menu).to_be_hidden()
    transfer = page.locator("#timeline .event-transfer")
    await expect(transfer.locator(".event-line")).to_have_text(
        "Lena Lead transferred this to Billing — waiting for an agent")
    await expect(transfer.locator(".event-note")).to_have_text("Double charge on the card ending 4242")
    await expect(page.locator(".conv-header .department")).to_contain_text("Billing")
    stored = await conversation(hub, started.conversation["_id"])
    billing = await hub.db[model.DEPARTMENTS].find_one({"name": "Billing"})
    assert billing is not None and stored["department_id"] == billing["_id"] and stored.get("assignee_id") is None

    await page.locator(".conv-header [data-action=assign-menu]").click()
    assign = page.locator("#assign-menu")
    await assign.locator("select[name=assignee_id]").select_option(label="Sina Support")
    await assign.locator("textarea[name=note]").fill("You know this customer")
    await assign.locator("[data-action=assign-submit]").click()
    await expect(page.locator(".conv-header .assignee")).to_have_text("Sina Support")
    await expect(page.locator("#timeline .event-assignment .event-line").last).to_have_text(
        "Lena Lead assigned this to Sina Support")


async def test_an_agent_saves_priority_on_change_and_edits_label_chips_with_suggestions(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    await department(hub, "Support")
    other = await writes(hub, "an older question", "visitor-two")
    await hub.db[model.CONVERSATIONS].update_one({"_id": other.conversation["_id"]},
                                                 {"$set": {"labels": ["billing-dispute", "vip"]}})
    started = await writes(hub, "where is my parcel?", VISITOR)
    _, page = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await open_conversation(page, base_url, started.conversation["_id"])
    cid = started.conversation["_id"]

    await expect(page.locator("#priority-form button")).to_have_count(0)  # no Save button
    await page.locator("#priority-form select").select_option("urgent")
    await expect(page.locator("#priority-form .form-status")).to_have_text("Saved.")
    assert (await conversation(hub, cid))["priority"] == "urgent"
    await expect(page.locator(".conv-header .priority-urgent")).to_have_count(1)

    entry = page.locator("#labels-form input[name=labels]")
    await entry.press_sequentially("bil")
    await expect(page.locator("#label-suggestions [role=option]")).to_have_text(["billing-dispute"])
    await entry.press("ArrowDown")
    await entry.press("Enter")
    await expect(page.locator("#labels-form .chip")).to_have_text(["billing-dispute"])
    await entry.press_sequentially("parcel late,")
    await expect(page.locator("#labels-form .chip")).to_have_text(["billing-dispute", "parcel late"])
    await expect(page.locator("#labels-form .form-status")).to_have_text("Saved.")
    assert (await conversation(hub, cid))["labels"] == ["billing-dispute", "parcel late"]

    await page.locator("#labels-form .chip", has_text="billing-dispute").locator("[data-action=remove-label]").click()
    await expect(page.locator("#labels-form .chip")).to_have_text(["parcel late"])
    await entry.press("Backspace")
    await expect(page.locator("#labels-form .chip")).to_have_count(0)
    await expect(page.locator("#labels-form .form-status")).to_have_text("Saved.")
    assert (await conversation(hub, cid))["labels"] == []

    await page.reload()
    await expect(page.locator("#priority-form select")).to_have_value("urgent")
    await expect(page.locator("#labels-form .chip")).to_have_count(0)
