"""In real browsers: a visitor on a shop's site attaches files (the picker, a paste, a drop); the agent sees them
in the inbox, the image as a preview; a file over the hub's limit is refused with a sentence in the visitor's
language and nothing is stored."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser, FileChooser, FilePayload, Locator, Page, ViewportSize, expect

from hub.runtime import Hub
from tests.e2e.test_webchat_and_inbox_in_browser import sign_in
from tests.support.agents import make_user
from tests.support.pictures import png
from tests.support.polling import poll_until
from tests.support.shop_site import serve, shop_site  # noqa: F401  (the shop fixture)

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shop_page(base_url: str, lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><h1>Shop</h1>'
            f'<script src="{base_url}/widget.js" async></script></body></html>')


async def open_widget(page: Page, url: str) -> None:
    await page.goto(url)
    await expect(page.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await page.click(".hubchat-bubble")


async def hand_over(page: Page, how: str, name: str, mime: str, data: bytes) -> None:
    """Paste into the message box or drop onto the open chat, as a person's clipboard or file manager would."""
    await page.evaluate("""([how, name, mime, bytes]) => {
        const root = document.querySelector('hub-chat').shadowRoot;
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], name, {type: mime}));
        if (how === 'paste') {
            root.querySelector('.hubchat-form textarea').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
        } else {
            const panel = root.querySelector('.hubchat-panel');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                panel.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
            }
        }
    }""", [how, name, mime, list(data)])


async def loaded_width(image: Locator) -> int:
    async def width() -> int | None:
        return int(await image.evaluate("img => img.complete ? img.naturalWidth : 0")) or None

    return await poll_until(width, "the image to load")


async def test_a_visitor_attaches_a_file_and_an_image_and_the_agent_sees_both_in_the_inbox(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    hub.settings.public_url = base_url  # the signed links are made on the public URL; here, the test server
    SHOTS.mkdir(parents=True, exist_ok=True)
    await make_user(hub.db, "agent@x.test", name="Sina Support")
    agent = await (await browser.new_context()).new_page()
    await sign_in(agent, base_url, "agent@x.test")

    visitor = await (await browser.new_context(viewport={"width": 1280, "height": 800})).new_page()
    await open_widget(visitor, serve(shop, "files", shop_page(base_url)))
    await visitor.fill(".hubchat-form textarea", "Here is my order")
    await visitor.keyboard.press("Enter")
    # Listen for the chooser before the key that opens it, with round trips in between: the client asks the
    # browser to intercept file choosers only when a page gets its first listener, and does so in a task of
    # its own. `expect_file_chooser` around the key press alone sent the press first, so on a loaded machine
    # the button's click could open the chooser before interception was on, and the wait never ended.
    chosen: asyncio.Future[FileChooser] = asyncio.get_running_loop().create_future()
    visitor.once("filechooser", lambda chooser: chosen.set_result(chooser))
    await visitor.keyboard.press("Shift+Tab")  # from the message box to the picker button, by keyboard
    attach = visitor.locator(".hubchat-attach")
    await expect(attach).to_be_focused()
    await expect(attach).to_have_attribute("aria-label", "Attach a file")
    # A quiet icon beside the box, not a second coloured button like Send (the accent rules style buttons).
    assert await attach.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"
    await visitor.keyboard.press("Enter")
    pdf: FilePayload = {"name": "order.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 the order"}
    await (await asyncio.wait_for(chosen, 30)).set_files([pdf])  # the chooser the key opened, nothing set by hand
    await hand_over(visitor, "paste", "screenshot.png", "image/png", png())
    await hand_over(visitor, "drop", "notes.txt", "text/plain", b"size M, blue")

    mine = visitor.locator(".hubchat-me")
    await expect(mine.locator(".hubchat-tick")).to_have_text(["✓", "✓", "✓", "✓"], timeout=15_000)  # each stored
    await expect(mine.locator("a.hubchat-file:not(.hubchat-picture)")).to_have_text(["order.pdf", "notes.txt"])
    picture = mine.locator("img.hubchat-image")
    await expect(picture).to_have_attribute("alt", "screenshot.png")
    assert (await picture.get_attribute("src") or "").startswith(f"{base_url}/media/")  # the stored file, not a blob
    assert await loaded_width(picture) == 160
    assert await hub.db["fs.files"].count_documents({}) == 3

    row = agent.locator("#conversation-list [data-conversation]")
    await expect(row).to_have_count(1, timeout=10_000)
    await row.locator("a").click()
    timeline = agent.locator("#timeline .msg-in")
    await expect(timeline).to_have_count(4, timeout=15_000)
    preview = timeline.locator(".attachment img.preview")
    await expect(preview).to_have_attribute("alt", "screenshot.png", timeout=15_000)
    assert await loaded_width(preview) == 160
    await expect(timeline.locator(".attachment a[download]")).to_have_text(["order.pdf", "notes.txt"])
    await agent.screenshot(path=str(SHOTS / "inbox-visitor-files.png"), full_page=True)
    await visitor.screenshot(path=str(SHOTS / "widget-files-en-desktop.png"))


async def test_a_file_over_the_limit_says_so_in_the_visitors_language_and_nothing_is_stored(
    hub: Hub, base_url: str, browser: Browser, shop: str
) -> None:
    phone: ViewportSize = {"width": 390, "height": 780}
    visitor = await (await browser.new_context(viewport=phone, is_mobile=True, has_touch=True)).new_page()
    await open_widget(visitor, serve(shop, "fa", shop_page(base_url, "fa")))
    # The hub's limit drops after the widget was told it: the hub itself refuses, and the widget says why.
    hub.settings.max_attachment_bytes = 2048
    await hand_over(visitor, "drop", "big.zip", "application/zip", b"z" * 4096)
    status = visitor.locator(".hubchat-status")
    await expect(status).to_have_text("big.zip بیش از حد بزرگ است: هر فایل حداکثر ۲ KB می‌تواند باشد.",
                                      timeout=15_000)
    await expect(visitor.locator(".hubchat-me")).to_have_count(0)  # sending it again could not help: it is gone
    await visitor.screenshot(path=str(SHOTS / "widget-file-too-large-fa-phone.png"))
    # Reloaded, the widget knows the new limit and refuses before sending anything.
    await visitor.reload()
    await expect(visitor.locator(".hubchat[data-ready='1']")).to_have_count(1)
    await visitor.click(".hubchat-bubble")
    await hand_over(visitor, "paste", "big.zip", "application/zip", b"z" * 4096)
    await expect(status).to_have_text("big.zip بیش از حد بزرگ است: هر فایل حداکثر ۲ KB می‌تواند باشد.")
    await expect(visitor.locator(".hubchat-me")).to_have_count(0)
    assert await hub.db["fs.files"].count_documents({}) == 0
    assert await hub.db["messages"].count_documents({}) == 0
