"""In Chromium: the bell in the header counts a mention live, the tab title shows it, the panel links to
the conversation and opening it marks it read; on a page without its own live region the bell still
follows the user's notifications, and browser notifications are asked for only on a click."""

from __future__ import annotations

from playwright.async_api import Browser, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.live.notify import notify
from hub.runtime import Hub
from hub.store import notifications, users
from tests.e2e.test_conversation_page_in_browser import SHOTS, agent_page, open_conversation
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import make_user


async def mention(author: Page, name: str, text: str) -> None:
    await author.locator('#composer [name="note"]').check()
    await author.locator("#composer textarea").press_sequentially("@" + name[:2])
    await expect(author.locator("#composer .suggest li")).to_have_text(["@" + name])
    await author.keyboard.press("Enter")
    await author.locator("#composer textarea").press_sequentially(text)
    await author.locator("#composer [data-action=send]").click()
    await expect(author.locator("#timeline .msg-note .text")).to_have_text([f"@{name} {text}"])


async def test_a_mention_lights_the_bell_live_and_opening_it_goes_to_the_conversation_and_marks_it_read(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    chat = await arrive(hub, "Can someone check my invoice?", "v-m", name="Nguyễn Văn Đức")
    _, ana = await agent_page(browser, hub, base_url, "ana@x.test", "Ana")
    ana_doc = await hub.db[model.USERS].find_one({"email": "ana@x.test"})
    assert ana_doc is not None
    await place(hub, chat.conversation["_id"], department_id=await department(hub, "Support"),
                assignee_id=ana_doc["_id"])
    bo_context, bo = await agent_page(browser, hub, base_url, "bo@x.test", "Bo")
    await expect(bo.locator("body[data-live=connected]")).to_have_count(1)
    bell = bo.locator(".bell-button")
    await expect(bell).to_have_attribute("aria-expanded", "false")
    await expect(bo.locator("[data-bell-badge]")).to_be_hidden()
    assert not (await bo.title()).startswith("(")

    await open_conversation(ana, base_url, chat.conversation["_id"])
    await mention(ana, "Bo", "please check the invoice")

    await expect(bo.locator("[data-bell-badge]")).to_have_text("1", timeout=10_000)
    await expect(bo).to_have_title("(1) Inbox · Hub")
    await expect(bo.locator("[data-bell-status]")).to_have_text("1 unread notification")
    # The author is not told of her own note. (Her bell may hold an assignment: routing can give her the
    # waiting conversation the moment her inbox connects, before the test places it.)
    assert await hub.db[model.NOTIFICATIONS].count_documents({"user_id": ana_doc["_id"], "kind": "mention"}) == 0

    await bell.focus()
    await bo.keyboard.press("Enter")  # reachable and opened from the keyboard
    await expect(bell).to_have_attribute("aria-expanded", "true")
    panel = bo.get_by_role("region", name="Notifications")
    await expect(panel).to_be_visible()
    item = panel.locator(".bell-item")
    await expect(item).to_have_count(1)
    await expect(item).to_have_class("bell-item unread")
    await expect(item.locator(".bell-contact")).to_have_text("Nguyễn Văn Đức")
    await expect(item.locator(".bell-text")).to_have_text("Ana mentioned you in a note: @Bo please check the invoice")
    await bo.set_viewport_size({"width": 1440, "height": 900})
    await bo.screenshot(path=str(SHOTS / "bell-open-1440x900.png"))
    await bo.set_viewport_size({"width": 390, "height": 844})
    await expect(panel).to_be_in_viewport()
    await bo.screenshot(path=str(SHOTS / "bell-open-390x844.png"))
    await bo.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    await expect(bell).to_be_focused()
    await bo.set_viewport_size({"width": 1440, "height": 900})

    await bell.click()
    await item.locator("a.bell-open").click()
    await expect(bo).to_have_url(f"{base_url}/inbox/c/{chat.conversation['_id']}")
    await expect(bo.locator("#timeline")).to_contain_text("please check the invoice")
    bo_doc = await hub.db[model.USERS].find_one({"email": "bo@x.test"})
    assert bo_doc is not None
    [stored] = await notifications.for_user(hub.db, bo_doc["_id"])
    assert stored["read_at"] is not None
    await expect(bo.locator("[data-bell-badge]")).to_be_hidden()
    assert not (await bo.title()).startswith("(")
    await bo.locator(".bell-button").click()
    await expect(bo.locator(".bell-item")).to_have_class("bell-item")  # still listed, now read
    await bo_context.close()


# A stand-in for the browser's Notification API that records what the page asks of it; the page is
# treated as in the background, where a browser notification is meant for.
FAKE_NOTIFICATIONS = """
window.__asked = 0; window.__shown = [];
function FakeNotification(title, options) { window.__shown.push({title: title, body: options.body}); }
FakeNotification.permission = localStorage.getItem("fake-permission") || "default";
FakeNotification.requestPermission = function () {
  window.__asked += 1; FakeNotification.permission = "granted"; localStorage.setItem("fake-permission", "granted");
  return Promise.resolve("granted");
};
window.Notification = FakeNotification;
Object.defineProperty(document, "visibilityState", { get: function () { return "hidden"; } });
"""


async def test_on_a_page_without_its_own_stream_the_bell_is_live_and_asks_for_browser_notifications_only_on_a_click(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    # Ana's before Bo signs in: routing offers an agent who connects what waits in the queue.
    chat = await arrive(hub, "Where is my parcel?", "v-p", name="Aroha")
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    await place(hub, chat.conversation["_id"], department_id=await department(hub, "Support"), assignee_id=ana["_id"])
    context, bo = await agent_page(browser, hub, base_url, "bo@x.test", "Bo")
    await context.add_init_script(FAKE_NOTIFICATIONS)
    bo_doc = await hub.db[model.USERS].find_one({"email": "bo@x.test"})
    assert bo_doc is not None
    await bo.goto(f"{base_url}/profile")
    await expect(bo.locator("[data-bell][data-live=connected]")).to_have_count(1)
    await expect(bo.locator("[data-bell][data-loaded]")).to_have_count(1)
    await expect(bo.locator("[data-bell-badge]")).to_be_hidden()
    assert await bo.evaluate("window.__asked") == 0  # never on load

    await bo.locator(".bell-button").click()
    await bo.locator("[data-bell-settings] summary").click()
    mentions = bo.get_by_label("Mentions in notes")
    await expect(mentions).not_to_be_checked()
    await mentions.check()
    await expect(bo.locator("[data-bell]")).to_have_attribute("data-permission", "granted")
    assert await bo.evaluate("window.__asked") == 1
    await bo.get_by_label("Play a short sound for a conversation assigned to me or a mention").check()
    await expect(bo.locator("[data-bell]")).to_have_attribute("data-prefs-saved", "2")  # one save per click
    saved = await users.notification_preferences(hub.db, bo_doc["_id"])
    assert saved == {"browser": ["mention"], "sound": True}
    await expect(bo.locator("[data-bell]")).to_have_attribute("data-tones", "1")  # a tone to hear it is on

    await bo.reload()
    await expect(bo.locator("[data-bell][data-live=connected]")).to_have_count(1)
    await notify(hub.db, [bo_doc["_id"]], "mention", "Ana mentioned you in a note: @Bo the parcel", utcnow(),
                 conversation=chat.conversation)
    await expect(bo.locator("[data-bell-badge]")).to_have_text("1", timeout=10_000)
    await expect(bo).to_have_title("(1) My account · Hub")
    await expect(bo.locator("[data-bell]")).to_have_attribute("data-shown", "1")
    shown = await bo.evaluate("window.__shown[0]")
    assert shown == {"title": "Mention", "body": "Aroha: Ana mentioned you in a note: @Bo the parcel"}
    # A kind left unticked raises no browser notification, but still counts on the bell.
    await notify(hub.db, [bo_doc["_id"]], "transfer", "Lee transferred a conversation to Support", utcnow(),
                 conversation=chat.conversation)
    await expect(bo.locator("[data-bell-badge]")).to_have_text("2", timeout=10_000)
    assert await bo.evaluate("window.__shown.length") == 1
    assert await bo.evaluate("window.__asked") == 0  # this page (after the reload) never asked

    await bo.locator(".bell-button").click()
    await bo.locator("[data-bell-settings] summary").click()
    await expect(bo.locator(".bell-item")).to_have_count(2)
    await bo.screenshot(path=str(SHOTS / "bell-settings-1280x720.png"))
    await bo.get_by_role("button", name="Mark all read").click()
    await expect(bo.locator("[data-bell-badge]")).to_be_hidden()
    await expect(bo).to_have_title("My account · Hub")
    assert await notifications.unread_count(hub.db, bo_doc["_id"]) == 0
    await context.close()
