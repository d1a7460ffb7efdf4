"""In Chromium: an agent's unread rows are bold and counted, reading one clears it for them alone, a message
arriving while they look stays read, and one arriving while they look elsewhere makes it bold again live."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Locator, Page, expect

from hub.runtime import Hub
from tests.e2e.test_webchat_and_inbox_in_browser import SHOTS, sign_in
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import make_user


def _row(page: Page, conversation_id: str) -> Locator:
    return page.locator(f'#conversation-list [data-conversation="{conversation_id}"]')


async def test_unread_rows_and_counts_follow_what_each_agent_has_seen(hub: Hub, base_url: str,
                                                                      browser: Browser) -> None:
    support = await department(hub, "Support")
    await make_user(hub.db, "ana@x.test", name="Ana")
    await make_user(hub.db, "bo@x.test", name="Bo")
    ids = []
    for who, name in (("v-1", "Maryam"), ("v-2", "Nguyễn")):
        result = await arrive(hub, f"hello, I am {name}", who, name=name)
        await place(hub, result.conversation["_id"], department_id=support, assignee_id=None)
        ids.append(str(result.conversation["_id"]))
    first, second = ids

    ana = await (await browser.new_context()).new_page()
    await sign_in(ana, base_url, "ana@x.test")
    await ana.goto(f"{base_url}/inbox?view=dept:{support}")
    await expect(ana.locator("#conversation-list [data-conversation].unread")).to_have_count(2)
    await expect(ana.get_by_role("link", name=re.compile(r"^unread: "))).to_have_count(2)
    await expect(ana.locator(f'[data-unread-count="dept:{support}"]')).to_have_text("2 unread")
    await ana.screenshot(path=str(SHOTS / "inbox-unread.png"), full_page=True)

    # (Routing may hand them to Ana or Bo once they are online: the department's view holds them either way.)
    # Opening one reads it; a message arriving while the page is open is read as well.
    await _row(ana, first).get_by_role("link").click()
    await expect(ana).to_have_url(f"{base_url}/inbox/c/{first}?view=dept:{support}")  # the list's view rides along
    await expect(ana.locator("body")).to_have_attribute("data-live", "connected")
    while_open = await arrive(hub, "are you there?", "v-1")
    await expect(ana.locator(f"#m-{while_open.message['_id']}")).to_be_visible()
    await expect(ana.locator("body")).to_have_attribute("data-read", str(while_open.message["_id"]))

    await ana.goto(f"{base_url}/inbox?view=dept:{support}")
    await expect(ana.locator("body")).to_have_attribute("data-live", "connected")
    await expect(_row(ana, first)).not_to_have_class(re.compile(r"\bunread\b"))
    await expect(_row(ana, second)).to_have_class(re.compile(r"\bunread\b"))
    await expect(ana.locator(f'[data-unread-count="dept:{support}"]')).to_have_text("1 unread")

    # Bo has opened nothing: both are bold for him.
    bo = await (await browser.new_context()).new_page()
    await sign_in(bo, base_url, "bo@x.test")
    await bo.goto(f"{base_url}/inbox?view=dept:{support}")
    await expect(bo.locator("#conversation-list [data-conversation].unread")).to_have_count(2)

    # The customer writes again while Ana looks at the list, not the conversation: bold again, live.
    await arrive(hub, "hello? anyone?", "v-1")
    await expect(_row(ana, first)).to_have_class(re.compile(r"\bunread\b"))
    await expect(ana.locator(f'[data-unread-count="dept:{support}"]')).to_have_text("2 unread")
    await ana.screenshot(path=str(SHOTS / "inbox-unread-again.png"), full_page=True)
