"""Email replies in the browser: CC and BCC fields and the signature preview only while the reply goes
out by email, the customer's CC offered as the reply's, and the quoted history of a received mail
folded under "…" until the agent opens it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import users
from tests.conftest import make_settings
from tests.e2e.test_conversation_page_in_browser import agent_page, open_conversation
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import send_mail
from tests.support.servers import free_port

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SIGNATURE = "سارا احمدی\nپشتیبانی فروشگاه · Shop support"
QUOTE = "> بسته شما فردا ارسال می‌شود.\n> پشتیبانی"

SMTP_PORT = free_port()


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relay: FakeRelay) -> Settings:
    smtp = {"host": "127.0.0.1", "port": relay.port, "security": "none", "username": "", "password": ""}
    monkeypatch.setenv("EMAIL_MAILBOXES", json.dumps([
        {"address": "support@hub.test", "department": "Support", "display_name": "Shop support", "smtp": smtp}]))
    return make_settings(mongo_url, tmp_path, smtp_listen=f"127.0.0.1:{SMTP_PORT}")


def customer_mail() -> bytes:
    return ("From: =?utf-8?b?2YXbjNmG2Kcg2LHYrduM2YXbjA==?= <mina@example.test>\r\nTo: support@hub.test\r\n"
            "Cc: Ali Karimi <ali@example.test>, support@hub.test\r\nSubject: =?utf-8?b?2LPZgdin2LHYtCDZhdmG?=\r\n"
            "Message-ID: <e2e-1@mail.example.test>\r\nDate: Tue, 01 Dec 2026 09:15:00 +0000\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "سلام، هنوز نرسیده. کی می‌رسد؟\r\n\r\n"
            "در تاریخ ۳۰ نوامبر ۲۰۲۶، پشتیبانی نوشت:\r\n" + QUOTE.replace("\n", "\r\n") + "\r\n").encode()


async def _email_conversation(hub: Hub) -> object:
    await send_mail(SMTP_PORT, customer_mail(), sender="mina@example.test")
    inbound = await hub.db[model.MESSAGES].find_one({"direction": "in", "channel": "email"})
    assert inbound is not None
    # The customer also texts us: the composer offers SMS beside email.
    await hub.db[model.CONTACTS].update_one({"_id": inbound["contact_id"]},
                                            {"$push": {"identities": {"kind": "phone", "value": "+989121234567"}}})
    return inbound["conversation_id"]


async def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


async def test_cc_bcc_and_the_signature_show_only_for_email_and_the_quoted_history_opens_on_demand(
    hub: Hub, base_url: str, browser: Browser, relay: FakeRelay
) -> None:
    conversation_id = await _email_conversation(hub)
    context, page = await agent_page(browser, hub, base_url, "sara@x.test", "سارا احمدی")
    await page.set_viewport_size({"width": 1440, "height": 900})
    await page.goto(f"{base_url}/profile")
    await page.locator('textarea[name="signature"]').fill(SIGNATURE)
    await page.locator(".signature-form button[type=submit]").click()
    await expect(page.locator(".ok[role=status]")).to_contain_text("Signature saved")
    await expect(page.locator('textarea[name="signature"]')).to_have_value(SIGNATURE)
    await open_conversation(page, base_url, conversation_id)

    composer = page.locator("#composer")
    cc, preview = composer.locator('input[name="cc"]'), composer.locator(".signature-preview")
    await expect(cc).to_be_visible()
    await expect(cc).to_have_value("ali@example.test")  # reply all, without our own mailbox
    await expect(preview).to_contain_text("پشتیبانی فروشگاه · Shop support")
    await expect(composer.locator('input[name="bcc"]')).to_be_hidden()

    quoted = page.locator("#timeline .msg-in details.quoted")
    await expect(page.locator("#timeline .msg-in > .text")).to_have_text("سلام، هنوز نرسیده. کی می‌رسد؟")
    await expect(quoted.locator(".quoted-text")).to_be_hidden()
    await expect(quoted.locator("summary")).to_have_text("…")
    await preview.scroll_into_view_if_needed()
    await _shoot(page, "email-composer")
    await quoted.locator("summary").click()
    await expect(quoted.locator(".quoted-text")).to_be_visible()
    await expect(quoted.locator(".quoted-text")).to_contain_text("بسته شما فردا ارسال می‌شود.")

    await composer.locator('select[name="channel"]').select_option("sms")
    await expect(cc).to_be_hidden()
    await expect(cc).to_be_disabled()
    await expect(preview).to_be_hidden()
    await composer.locator('select[name="channel"]').select_option("email")
    await expect(cc).to_be_visible()
    await composer.locator('input[name="note"]').check()
    await expect(cc).to_be_hidden()
    await expect(preview).to_be_hidden()
    await composer.locator('input[name="note"]').uncheck()
    await expect(preview).to_be_visible()

    await composer.locator("[data-action=show-bcc]").click()
    bcc = composer.locator('input[name="bcc"]')
    await expect(bcc).to_be_focused()
    await bcc.fill("audit@hub-archive.test")
    await composer.locator("textarea").fill("بسته امروز ارسال می‌شود.")
    await composer.locator("[data-action=send]").click()
    [sent] = await relay.wait_for(1)
    assert sent.rcpt_tos == ["mina@example.test", "ali@example.test", "audit@hub-archive.test"]
    assert sent.message["Cc"] == "ali@example.test" and sent.message["Bcc"] is None
    out = page.locator("#timeline .msg-out .mail-recipients")
    await expect(out).to_contain_text("ali@example.test")
    await expect(out).to_contain_text("audit@hub-archive.test")
    await context.close()


async def test_the_email_composer_in_persian_is_mirrored_on_a_desktop_and_a_phone(
    hub: Hub, base_url: str, browser: Browser
) -> None:
    conversation_id = await _email_conversation(hub)
    context, page = await agent_page(browser, hub, base_url, "sara@x.test", "سارا احمدی")
    sara = await hub.db[model.USERS].find_one({"email": "sara@x.test"})
    assert sara is not None
    await users.set_signature(hub.db, sara["_id"], SIGNATURE, utcnow())
    await users.set_language(hub.db, sara["_id"], "fa", utcnow())
    for name, size in (("email-composer-rtl", (1440, 900)), ("email-composer-rtl-390", (390, 844))):
        await page.set_viewport_size({"width": size[0], "height": size[1]})
        await open_conversation(page, base_url, conversation_id)
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        await page.locator("#timeline .msg-in details.quoted summary").click()
        await page.locator("#composer [data-action=show-bcc]").click()
        await page.locator("#composer .signature-preview").scroll_into_view_if_needed()
        overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is wider than the window by {overflow}px"
        await _shoot(page, name)
    await context.close()
