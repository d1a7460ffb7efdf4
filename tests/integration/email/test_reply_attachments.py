"""An email reply with a file attached in the inbox reaches the relay as a MIME attachment with its
filename and content type, next to the plain and HTML bodies."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from hub.store.db import Doc
from tests.fakes.smtp_relay import FakeRelay
from tests.integration.email.conftest import fixture, send_mail
from tests.support.agents import login, make_user
from tests.support.polling import poll_until

CSV = "سفارش,مبلغ\n۱۲۳۴,۵۰۰\n".encode()


async def _inbound(hub: Hub) -> Doc:
    found = await poll_until(lambda: hub.db["messages"].find_one({"channel": "email", "direction": "in"}),
                             "the inbound mail stored", timeout=10)
    return dict(found)


async def test_email_reply_carries_the_attached_file_to_the_relay(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, smtp_port: int, relay: FakeRelay
) -> None:
    await make_user(hub.db, "agent@x.test", departments=("Support",))
    csrf = await login(http, base_url, "agent@x.test")
    await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
    inbound = await _inbound(hub)
    data = aiohttp.FormData(quote_fields=False)
    data.add_field("text", "The statement is attached.")
    data.add_field("file", CSV, filename="صورتحساب.csv", content_type="text/csv")
    async with http.post(f"{base_url}/api/v1/conversations/{inbound['conversation_id']}/reply", data=data,
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201, await r.text()
    [sent] = await relay.wait_for(1)
    mail = sent.message
    assert mail.get_content_type() == "multipart/mixed"
    plain = mail.get_body(("plain",))
    assert plain is not None and "The statement is attached." in plain.get_content()
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() == "صورتحساب.csv"
    assert attached.get_content_type() == "text/csv"
    assert attached.get_payload(decode=True) == CSV
