"""Mail arriving at the hub's SMTP listener: stored before it is acknowledged, never relayed, never lost."""

from __future__ import annotations

import aiosmtplib
import pytest

from hub.runtime import Hub
from hub.store import files
from hub.store.db import Doc
from tests.integration.email.conftest import ATTACHMENT_LIMIT, fixture, send_mail


async def inbound(hub: Hub) -> list[Doc]:
    return await hub.db["messages"].find({"direction": "in"}).sort("created_at", 1).to_list(100)


async def test_persian_mail_is_stored_before_the_smtp_transaction_is_acknowledged(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("persian_subject_rfc2047.eml"))
    # No waiting: aiosmtplib returned only after the hub answered 250, so it must already be stored.
    [message] = await inbound(hub)
    assert message["subject"] == "سلام، سفارش ۱۲۳۴ من کجاست؟"
    assert message["text"].startswith("سلام،\nسفارش من هنوز نرسیده")
    assert 'dir="rtl"' in message["html"] and 'lang="fa"' in message["html"]
    assert message["extras"]["mailbox"] == "support@hub.test"
    contact = await hub.db["contacts"].find_one({"_id": message["contact_id"]})
    assert contact is not None and contact["name"] == "مینا رحیمی"
    assert {"kind": "email", "value": "mina.rahimi@gmail.test"} in contact["identities"]
    original = await files.get(hub.db, __import__("bson").ObjectId(message["extras"]["original_file_id"]))
    assert original is not None and original[0] == fixture("persian_subject_rfc2047.eml")


async def test_mail_for_an_address_that_is_not_ours_is_refused_as_relaying(hub: Hub, smtp_port: int) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await send_mail(smtp_port, fixture("no_message_id.eml"), recipients=("victim@elsewhere.test",))
    assert refused.value.recipients[0].code == 550
    assert "Relaying denied" in refused.value.recipients[0].message
    assert await inbound(hub) == []


async def test_one_mail_to_two_of_our_addresses_is_one_message(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("japanese_iso2022jp.eml"), recipients=("support@hub.test", "SALES@hub.test",
                                                                              "stranger@else.test"))
    await send_mail(smtp_port, fixture("japanese_iso2022jp.eml"), recipients=("sales@hub.test",))
    [message] = await inbound(hub)
    assert message["subject"] == "注文について"
    assert message["extras"]["mailboxes"] == ["support@hub.test", "sales@hub.test"]


async def test_a_message_id_reused_by_another_sender_is_not_swallowed_as_a_duplicate(
    hub: Hub, smtp_port: int
) -> None:
    original = fixture("no_message_id.eml").replace(b"Subject: No id here", b"Message-ID: <same@x.test>\r\nSubject: A")
    copycat = original.replace(b"old@example.test", b"other@example.test").replace(b"Subject: A", b"Subject: B")
    await send_mail(smtp_port, original)
    await send_mail(smtp_port, copycat)
    await send_mail(smtp_port, original)  # a true repeat of the first
    messages = await inbound(hub)
    assert [m["subject"] for m in messages] == ["A", "B"]
    assert messages[0]["contact_id"] != messages[1]["contact_id"]


async def test_mail_without_message_id_is_stored_once_even_when_delivered_twice(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("no_message_id.eml"))
    await send_mail(smtp_port, fixture("no_message_id.eml"))
    [message] = await inbound(hub)
    assert message["text"] == "This mail has no Message-ID header at all."


async def test_attachment_over_the_limit_keeps_the_text_and_a_visible_note(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("pdf_attachment.eml"))
    [message] = await inbound(hub)
    assert message["text"] == "Here is the invoice you asked for."
    [attachment] = message["attachments"]
    assert attachment["filename"] == "invoice.pdf" and attachment["file_id"] is None
    assert attachment["size"] > ATTACHMENT_LIMIT
    assert f"over the {ATTACHMENT_LIMIT:,} byte limit" in attachment["refused_reason"]


async def test_inline_cid_image_is_stored_and_remote_image_is_held_back(hub: Hub, smtp_port: int) -> None:
    await send_mail(smtp_port, fixture("inline_cid_image_and_remote_image.eml"), recipients=("sales@hub.test",))
    [message] = await inbound(hub)
    [image] = message["attachments"]
    assert image["content_type"] == "image/png" and image["file_id"]
    assert message["extras"]["inline_images"] == [{"cid": "box.photo@example.test", "index": 0}]
    assert 'src="cid:box.photo@example.test"' in message["html"]
    assert "tracker.test" not in message["html"]
    assert "https://tracker.test/open.gif" in message["extras"]["html_remote_images"]


@pytest.mark.parametrize("name", ["broken_mime_boundary.eml", "unknown_charset.eml", "nested_rfc822.eml",
                                  "arabic_windows_1256.eml", "chinese_gb2312.eml",
                                  "html_with_script_onerror_javascript_css.eml",
                                  "html_in_subject_and_display_name.eml", "vietnamese_apple_mail_reply.eml"])
async def test_every_awkward_fixture_is_accepted_and_stored(hub: Hub, smtp_port: int, name: str) -> None:
    await send_mail(smtp_port, fixture(name))
    [message] = await inbound(hub)
    assert message["text"].strip()
    assert "<script" not in (message.get("html") or "")


async def test_mail_to_a_departments_mailbox_goes_to_that_department(hub: Hub, smtp_port: int) -> None:
    from hub.clock import utcnow
    from hub.store import users

    sales = await users.ensure_department(hub.db, "Sales", utcnow())
    await users.ensure_department(hub.db, "Support", utcnow())
    await send_mail(smtp_port, fixture("japanese_iso2022jp.eml"), recipients=("sales@hub.test",))
    [message] = await inbound(hub)
    assert message["extras"]["department"] == "Sales"
    conversation = await hub.db["conversations"].find_one({"_id": message["conversation_id"]})
    assert conversation is not None and conversation["department_id"] == sales["_id"]
