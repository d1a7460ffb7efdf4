"""In Chromium, with several people signed in at once: a lead's reassignment reaches the new agent's
Mine live, another department's conversation stays out of an agent's reach, and an @mention in a
private note tells the mentioned agent at once."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hub import names as model
from hub.runtime import Hub
from hub.store import notifications
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import make_user


async def test_lead_reassigns_a_conversation_and_the_new_agent_sees_it_in_mine_without_reload(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    chat = await arrive(hub, "سلام، سفارشم نرسیده", "v-r", name="مریم")
    await place(hub, chat.conversation["_id"], assignee_id=bo["_id"])
    _, ana = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await expect(ana.locator("body[data-live=connected]")).to_have_count(1)
    await expect(ana.locator("#conversation-list [data-conversation]")).to_have_count(0)
    await ana.evaluate("window.notReloaded = true")

    _, lead = await agent_page(browser, hub, base_url, "lead@x.test", "Lee", role="lead")
    await lead.goto(f"{base_url}/inbox?view=all")
    row = lead.locator("#conversation-list [data-conversation]")
    await expect(row).to_have_count(1)
    await row.locator("input[type=checkbox]").check()
    await lead.select_option("#bulk select[name=action]", "assign")
    await lead.select_option("#bulk select[name=assignee_id]", label="Ana")
    await lead.click("#bulk button[type=submit]")
    await expect(lead.locator("#bulk .bulk-result")).to_have_attribute("data-done", "1")

    mine = ana.locator("#conversation-list [data-conversation]")
    await expect(mine).to_have_count(1, timeout=10_000)
    await expect(mine.locator(".preview")).to_have_text("سلام، سفارشم نرسیده")
    assert await ana.evaluate("window.notReloaded === true")
    stored = await hub.db[model.CONVERSATIONS].find_one({"_id": chat.conversation["_id"]})
    assert stored is not None and stored["assignee_id"] != bo["_id"]
    await ana.screenshot(path=str(SHOTS / "inbox-reassigned-live.png"), full_page=True)


async def test_agent_never_sees_another_departments_conversation_and_its_url_shows_not_found(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    sales = await department(hub, "Sales")
    ours = await arrive(hub, "Support question about a price", "v-s", name="Sam")
    theirs = await arrive(hub, "Sales secret price", "v-x", name="Xu")
    await place(hub, ours.conversation["_id"], assignee_id=ana["_id"])
    await place(hub, theirs.conversation["_id"], department_id=sales, assignee_id=None)
    page = await (await browser.new_context()).new_page()
    await sign_in(page, base_url, "ana@x.test")

    for view in ("mine", "unassigned", f"dept:{sales}"):
        await page.goto(f"{base_url}/inbox?view={view}")
        rows = page.locator("#conversation-list [data-conversation]")
        await expect(rows.filter(has_text="Sales secret")).to_have_count(0)
    await page.goto(f"{base_url}/inbox")
    previews = page.locator("#conversation-list [data-conversation] .preview")
    await expect(previews).to_have_text(["Support question about a price"])
    await page.goto(f"{base_url}/inbox/search?q=price")  # both conversations hold the word
    await expect(page.locator("#search-conversations [data-conversation] .preview")).to_have_text(
        ["Support question about a price"])

    response = await page.goto(f"{base_url}/inbox/c/{theirs.conversation['_id']}")
    assert response is not None and response.status == 404
    await expect(page.locator(".error-page h1")).to_have_text("404")
    await expect(page.locator("body")).not_to_contain_text("Sales secret price")
    await page.screenshot(path=str(SHOTS / "inbox-other-department-404.png"), full_page=True)
    response = await page.goto(f"{base_url}/inbox/c/{ours.conversation['_id']}")
    assert response is not None and response.status == 200


async def test_mention_in_a_private_note_shows_the_mentioned_agent_a_notification_live(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    chat = await arrive(hub, "Can someone check my invoice?", "v-m", name="Nguyễn Văn Đức")
    _, ana = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    await expect(ana.locator("body[data-live=connected]")).to_have_count(1)
    _, bo = await agent_page(browser, hub, base_url, "bo@x.test", "Bo")
    await open_conversation(bo, base_url, chat.conversation["_id"])

    await bo.locator('#composer [name="note"]').check()
    await bo.locator("#composer textarea").press_sequentially("@An")
    await expect(bo.locator("#composer .suggest li")).to_have_text(["@Ana"])
    await bo.keyboard.press("Enter")
    await bo.locator("#composer textarea").press_sequentially("please check the invoice")
    await bo.locator("#composer [data-action=send]").click()
    await expect(bo.locator("#timeline .msg-note .text")).to_have_text(["@Ana please check the invoice"])

    toast = ana.locator(".toast")
    await expect(toast).to_have_text("You were mentioned in a note — open it", timeout=10_000)
    ana_doc = await hub.db[model.USERS].find_one({"email": "ana@x.test"})
    assert ana_doc is not None
    stored = await notifications.for_user(hub.db, ana_doc["_id"])
    # Routing gave Ana the queued conversation when her inbox connected, which she is told of too.
    assert [n["kind"] for n in stored] == ["mention", "assignment"] and "Bo mentioned you" in stored[0]["text"]
    await ana.screenshot(path=str(SHOTS / "inbox-mention-notification.png"), full_page=True)
    await toast.click()
    await expect(ana).to_have_url(f"{base_url}/inbox/c/{chat.conversation['_id']}")
    await expect(ana.locator("#timeline")).to_contain_text("please check the invoice")
