"""Mailboxes added in the admin UI work like EMAIL_MAILBOXES ones, at once, and never show a password."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest

from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import make_settings
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.admin.helpers import signed_in
from tests.integration.email.conftest import fixture, send_mail
from tests.support.servers import free_port

SECRET = "smtp-secret-never-shown"
SMTP_PORT = free_port()


@pytest.fixture
def settings(mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.delenv("EMAIL_MAILBOXES", raising=False)
    return make_settings(mongo_url, tmp_path, smtp_listen=f"127.0.0.1:{SMTP_PORT}")


def mailbox_body(relay: FakeRelay, **overrides: object) -> dict[str, object]:
    return {"address": "Help@Shop.test", "department": "Support", "display_name": "فروشگاه",
            "smtp_host": "127.0.0.1", "smtp_port": str(relay.port), "smtp_security": "none",
            "smtp_username": "", "smtp_password": SECRET, **overrides}


async def test_mailbox_added_in_admin_receives_mail_and_replies_through_its_smtp_without_restart(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # DEBUG would add the driver's own command logs
    admin = await signed_in(hub, http, base_url, "root@x.test")
    assert "email" not in hub.channels
    status, created = await admin.call("POST", "/api/v1/admin/mailboxes", mailbox_body(relay))
    assert status == 201, created
    assert created["address"] == "help@shop.test" and created["smtp"]["password_set"] is True
    assert SECRET not in json.dumps(created)
    assert "email" in hub.channels

    await send_mail(SMTP_PORT, fixture("persian_subject_rfc2047.eml"), recipients=("help@shop.test",))
    stored = await hub.db["messages"].find_one({"channel": "email", "direction": "in"})
    assert stored is not None and stored["extras"]["mailbox"] == "help@shop.test"
    status, sent = await admin.call("POST", f"/api/v1/conversations/{stored['conversation_id']}/messages",
                                    {"text": "We are on it."})
    assert status == 201, sent
    [received] = await relay.wait_for(1)
    assert received.mail_from == "help@shop.test"
    # The default From name style: the agent's name, via the mailbox's display name.
    assert received.message["From"].addresses[0].display_name.endswith(" (via فروشگاه)")

    status, listing = await admin.call("GET", "/api/v1/admin/mailboxes")
    status_page, page = await admin.page("/admin/mailboxes")
    assert status == 200 and status_page == 200 and "help@shop.test" in page
    for shown in (json.dumps(listing), page, caplog.text):
        assert SECRET not in shown


async def test_editing_a_mailbox_with_an_empty_password_keeps_the_stored_one(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    status, created = await admin.call("POST", "/api/v1/admin/mailboxes", mailbox_body(relay))
    assert status == 201
    status, edited = await admin.call("PUT", f"/api/v1/admin/mailboxes/{created['id']}",
                                      mailbox_body(relay, smtp_password="", display_name="Shop help"))
    assert status == 200, edited
    doc = await hub.db["mailboxes"].find_one({})
    assert doc is not None and doc["display_name"] == "Shop help"
    # Sealed at rest: the database holds no clear password, and the channel still unseals the same one.
    assert "password" not in doc["smtp"] and SECRET not in str(doc)
    from hub.store import mailboxes

    [opened] = await mailboxes.all_with_secrets(hub.db, hub.settings.ensure_secret_key())
    assert opened["smtp"]["password"] == SECRET
    status, _ = await admin.call("DELETE", f"/api/v1/admin/mailboxes/{created['id']}")
    assert status == 200
    # The admin API tells this process's email channel at once: the listener now refuses the address.
    with pytest.raises(Exception, match="550"):
        await send_mail(SMTP_PORT, fixture("persian_subject_rfc2047.eml"), recipients=("help@shop.test",))


async def test_bad_mailbox_input_is_refused_readably_without_echoing_the_password(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    cases = [
        (mailbox_body(relay, address="not an address"), "address"),
        (mailbox_body(relay, smtp_port="99999"), "port number"),
        (mailbox_body(relay, smtp_security="ssl3"), "smtp_security"),
        (mailbox_body(relay, department="Nowhere"), "no department"),
        (mailbox_body(relay, imap_enabled="1", imap_host=""), "imap_host"),
    ]
    for body, words in cases:
        status, answer = await admin.call("POST", "/api/v1/admin/mailboxes", body)
        assert status == 400 and words in answer["error"], (body, answer)
        assert SECRET not in json.dumps(answer)
    assert await hub.db["mailboxes"].count_documents({}) == 0
    agent = await signed_in(hub, aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)), base_url,
                            "ana@x.test", role="agent")
    status, _ = await agent.call("GET", "/api/v1/admin/mailboxes")
    await agent.http.close()
    assert status == 403


class TestMailboxesFromSettings:
    @pytest.fixture
    def settings(self, mongo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 relay: FakeRelay) -> Settings:
        monkeypatch.setenv("EMAIL_MAILBOXES", json.dumps([{
            "address": "support@hub.test", "department": "Support",
            "smtp": {"host": "127.0.0.1", "port": relay.port, "security": "none", "password": SECRET}}]))
        return make_settings(mongo_url, tmp_path)

    async def test_settings_mailboxes_are_listed_read_only_and_cannot_be_shadowed(
        self, hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
    ) -> None:
        admin = await signed_in(hub, http, base_url, "root@x.test")
        status, listing = await admin.call("GET", "/api/v1/admin/mailboxes")
        assert [(m["address"], m["source"], m["editable"]) for m in listing["mailboxes"]] == [
            ("support@hub.test", "settings", False)]
        status, page = await admin.page("/admin/mailboxes")
        assert "from EMAIL_MAILBOXES" in page and SECRET not in page and SECRET not in json.dumps(listing)
        status, answer = await admin.call("POST", "/api/v1/admin/mailboxes",
                                          mailbox_body(relay, address="support@hub.test"))
        assert status == 409 and "EMAIL_MAILBOXES" in answer["error"]
