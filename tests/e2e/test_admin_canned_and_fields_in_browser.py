"""In Chromium: an admin writes a canned response (seeing the API's refusal first) and defines a custom
field; an agent then inserts that response with `/` in a conversation's composer."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hub import names as model
from hub.runtime import Hub
from hub.store import canned, custom_fields
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.integration.conversation.helpers import customer_writes


async def test_admin_creates_a_canned_response_that_an_agent_inserts_with_slash(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _, admin = await agent_page(browser, hub, base_url, "root@x.test", "Roya Admin", role="admin")
    errors: list[str] = []
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await admin.click("header a[href='/admin']")
    await admin.click(".admin-tabs a[href='/admin/canned']")
    form = admin.locator("#new-canned")
    await form.locator("input[name=shortcut]").fill("/Refund")
    await form.locator("input[name=title]").fill("بازپرداخت")
    await form.locator("textarea[name=body]").fill("Hello {{ contact.first_name }, your refund")
    await form.locator("button[type=submit]").click()
    await expect(form.locator(".form-error")).to_contain_text("does not parse")
    assert await canned.search(hub.db) == []
    await form.locator("textarea[name=body]").fill("Hello {{ contact.first_name }}, your refund is on its way.")
    await form.locator("button[type=submit]").click()
    row = admin.locator("#canned tr[data-canned=refund]")
    await expect(row).to_contain_text("بازپرداخت")
    await admin.screenshot(path=str(SHOTS / "admin-canned.png"), full_page=True)

    await admin.click(".admin-tabs a[href='/admin/custom-fields']")
    field = admin.locator("#new-field")
    await field.locator("input[name=key]").fill("tier")
    await field.locator("input[name=label]").fill("سطح مشتری")
    await field.locator("select[name=type]").select_option("choice")
    await field.locator("button[type=submit]").click()
    await expect(field.locator(".form-error")).to_contain_text("needs 'choices'")
    await field.locator("input[name=choices]").fill("gold, silver")
    await field.locator("button[type=submit]").click()
    await expect(admin.locator("#custom-fields tr[data-field=tier] .badge")).to_have_text(["gold", "silver"])
    assert [f["choices"] for f in await custom_fields.all_fields(hub.db)] == [["gold", "silver"]]
    await admin.screenshot(path=str(SHOTS / "admin-custom-fields.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e], errors

    _, agent = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    conversation = await customer_writes(hub, "Where is my money?", "c-1")
    await hub.db[model.CONTACTS].update_one({"_id": conversation["contact_id"]}, {"$set": {"name": "Minh Anh"}})
    await open_conversation(agent, base_url, conversation["_id"])
    await agent.locator("#composer textarea").press_sequentially("/ref")
    await expect(agent.locator("#composer .suggest li")).to_have_text(["/refund — بازپرداخت"])
    await agent.keyboard.press("Enter")
    await expect(agent.locator("#composer textarea")).to_have_value("Hello Minh, your refund is on its way.")
