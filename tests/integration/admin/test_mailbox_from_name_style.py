"""A mailbox's "From name on replies": the agent via the mailbox (the default), or the mailbox's display
name alone; chosen on the admin page, refused when it is neither."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.admin.helpers import signed_in
from tests.integration.admin.test_admin_mailboxes import SMTP_PORT, mailbox_body, settings
from tests.integration.email.conftest import fixture, send_mail

__all__ = ["settings"]


async def test_a_mailbox_set_to_its_display_name_sends_replies_under_that_name_alone(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, relay: FakeRelay
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    status, body = await admin.call("POST", "/api/v1/admin/mailboxes",
                                    mailbox_body(relay, from_name_style="sometimes"))
    assert status == 400 and "from_name_style" in body["error"] and "agent, mailbox" in body["error"]
    status, created = await admin.call("POST", "/api/v1/admin/mailboxes",
                                       mailbox_body(relay, from_name_style="mailbox"))
    assert status == 201, created
    assert created["from_name_style"] == "mailbox"
    status_page, page = await admin.page("/admin/mailboxes")
    assert status_page == 200 and '<option value="mailbox" selected>' in page

    await send_mail(SMTP_PORT, fixture("persian_subject_rfc2047.eml"), recipients=("help@shop.test",))
    stored = await hub.db["messages"].find_one({"channel": "email", "direction": "in"})
    assert stored is not None
    status, sent = await admin.call("POST", f"/api/v1/conversations/{stored['conversation_id']}/messages",
                                    {"text": "We are on it."})
    assert status == 201, sent
    [received] = await relay.wait_for(1)
    assert received.message["From"].addresses[0].display_name == "فروشگاه"
