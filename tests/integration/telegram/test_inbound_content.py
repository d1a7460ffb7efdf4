"""Every kind of Telegram message lands in the timeline as the customer sent it."""

from __future__ import annotations

import aiohttp
import pytest
from bson import ObjectId

from channels.base import PHONE, TELEGRAM, Identity
from hub import names as model
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import contacts, files, messages
from hub.store.documents import Message
from tests.fakes.telegram_api import FakeTelegramApi
from tests.integration.telegram.conftest import BOT_ID, CUSTOMER_ID, payload, post_update
from tests.support.agents import login, make_user


async def deliver(http: aiohttp.ClientSession, base_url: str, hub: Hub, fixture: str) -> Message:
    status, body = await post_update(http, base_url, payload(fixture))
    assert status == 200 and body["result"] in ("stored", "edited"), body
    message = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert message is not None
    return message


async def test_persian_text_with_emoji_and_zero_width_characters_is_stored_exactly(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    sent = payload("text_in_persian_with_emoji_and_zero_width")["message"]["text"]
    message = await deliver(http, base_url, hub, "text_in_persian_with_emoji_and_zero_width")
    assert message["text"] == sent
    assert "\u200c" in message["text"] and "\u200d" in message["text"] and "\u200f" in message["text"]
    assert message["external_id"] == f"{BOT_ID}:{CUSTOMER_ID}:101"
    contact = await contacts.get(hub.db, message["contact_id"])
    assert contact is not None
    assert contact["name"] == "مینا رضایی"
    assert {"kind": TELEGRAM, "value": str(CUSTOMER_ID)} in contact["identities"]
    raw = await hub.db[model.RAW_INBOUND].find_one({"_id": message["raw_id"]})
    assert raw is not None and raw["payload"]["message"]["text"] == sent


async def test_photo_is_fetched_with_getfile_and_kept_in_gridfs_with_its_caption(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    picture = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10
    telegram_api.add_file("AgACAgQAAxkBAAIBZ2-large", picture, "photos/file_7.jpg")
    message = await deliver(http, base_url, hub, "photo_with_caption")
    assert [c.params["file_id"] for c in telegram_api.sent("getFile")] == ["AgACAgQAAxkBAAIBZ2-large"]
    assert message["text"] == "این عکس بسته\u200cای است که شکسته رسید"
    [attachment] = message["attachments"]
    assert (attachment["content_type"], attachment["size"], attachment["refused_reason"]) == (
        "image/jpeg", len(picture), None)
    kept = await files.get(hub.db, ObjectId(attachment["file_id"]))
    assert kept is not None and kept[0] == picture


@pytest.mark.parametrize(("fixture", "file_id", "filename", "content_type"), [
    ("document_pdf", "BQACAgQAAxkBAAIBaW-pdf", "رسید خرید.pdf", "application/pdf"),
    ("voice_message", "AwACAgQAAxkBAAIBa2-voice", "voice_AgADvoice.ogg", "audio/ogg"),
    ("video_note", "DQACAgQAAxkBAAIBbW-round", "video_note_AgADround.mp4", "video/mp4"),
])
async def test_documents_voice_and_video_notes_are_kept_as_attachments(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi,
    fixture: str, file_id: str, filename: str, content_type: str,
) -> None:
    telegram_api.add_file(file_id, b"x" * 2048, f"files/{fixture}")
    message = await deliver(http, base_url, hub, fixture)
    [attachment] = message["attachments"]
    assert (attachment["filename"], attachment["content_type"]) == (filename, content_type)
    kept = await files.get(hub.db, ObjectId(attachment["file_id"]))
    assert kept is not None and kept[0] == b"x" * 2048


async def test_a_file_over_the_size_limit_is_kept_as_a_message_saying_it_was_too_large(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    await make_user(hub.db, "agent@x.test")
    await login(http, base_url, "agent@x.test")
    message = await deliver(http, base_url, hub, "document_larger_than_the_limit")
    assert telegram_api.sent("getFile") == []
    assert message["text"] == "فاکتور"
    [attachment] = message["attachments"]
    assert attachment["file_id"] is None
    assert attachment["refused_reason"] == ("the attachment was too large to keep (31,457,280 bytes; "
                                            "the limit is 20,971,520 bytes)")
    async with http.get(f"{base_url}/inbox/m/{message['_id']}") as r:
        html = await r.text()
    assert "invoice-scan.pdf" in html and "too large to keep" in html


async def test_a_file_telegram_reports_bigger_than_announced_is_refused_after_getfile(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    hub.settings.max_attachment_bytes = 4096
    telegram_api.add_file("AwACAgQAAxkBAAIBa2-voice", b"o" * 5000, "voice/file_3.oga")
    update = payload("voice_message")
    del update["message"]["voice"]["file_size"]
    _, body = await post_update(http, base_url, update)
    message = await messages.get(hub.db, ObjectId(body["message_id"]))
    assert message is not None
    assert "too large to keep (5,000 bytes" in (message["attachments"][0]["refused_reason"] or "")
    assert await hub.db["fs.files"].count_documents({}) == 0


async def test_a_file_telegram_cannot_hand_over_is_kept_with_the_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, telegram_api: FakeTelegramApi
) -> None:
    telegram_api.fail("getFile", 400, "Bad Request: file is too big")
    message = await deliver(http, base_url, hub, "document_pdf")
    assert "too large for Telegram to hand over" in (message["attachments"][0]["refused_reason"] or "")


async def test_location_is_stored_with_a_map_link(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    message = await deliver(http, base_url, hub, "location")
    assert message["text"].startswith("Location: 35.689198, 51.388974 https://www.openstreetmap.org/")
    assert message["extras"]["location"]["latitude"] == 35.689198


async def test_a_kind_the_inbox_cannot_show_is_kept_with_a_note_saying_so(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    message = await deliver(http, base_url, hub, "dice_is_kept_as_a_note_it_cannot_be_shown")
    assert message["text"] == "(the customer sent a Telegram dice, which the inbox cannot show)"


async def test_edited_message_updates_the_text_and_keeps_the_earlier_version_visible(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    original = await deliver(http, base_url, hub, "text_in_persian_with_emoji_and_zero_width")
    edited = await deliver(http, base_url, hub, "edited_message")
    await post_update(http, base_url, payload("edited_message"))  # Telegram redelivers
    assert edited["_id"] == original["_id"]
    assert edited["text"] == payload("edited_message")["edited_message"]["text"]
    assert [e["text"] for e in edited["edits"]] == [original["text"]]
    assert await hub.db[model.MESSAGES].count_documents({"direction": "in"}) == 1
    async with http.get(f"{base_url}/api/v1/conversations/{original['conversation_id']}/messages",
                        headers={"X-CSRF-Token": csrf}) as r:
        timeline = (await r.json())["messages"]
    shown = next(m for m in timeline if m["id"] == str(original["_id"]))
    assert [e["text"] for e in shown["edits"]] == [original["text"]]
    async with http.get(f"{base_url}/inbox/m/{original['_id']}") as r:
        html = await r.text()
    assert "<details class=\"edits\">" in html and "کی می\u200cرسه؟ \u200f🇮🇷" not in html.split("<details")[0]


async def test_an_edit_of_a_message_never_seen_is_stored_as_a_new_message(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    message = await deliver(http, base_url, hub, "edited_message")
    assert message["text"] == payload("edited_message")["edited_message"]["text"]
    assert message["extras"]["edited_before_seen"] is True
    again = await post_update(http, base_url, payload("text_in_persian_with_emoji_and_zero_width"))
    assert again[1]["result"] == "duplicate"


async def test_start_deep_link_records_the_campaign_as_the_contacts_source(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    message = await deliver(http, base_url, hub, "start_with_campaign_payload")
    await post_update(http, base_url, payload("start_with_campaign_payload"))
    contact = await contacts.get(hub.db, message["contact_id"])
    assert contact is not None
    assert (contact["source"]["channel"], contact["source"]["payload"]) == ("telegram", "spring_sale-2026")
    assert len(contact["sources"]) == 1


async def test_shared_own_phone_joins_the_customer_already_known_from_sms(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    known = await contacts.resolve(hub.db, Identity(PHONE, "+989121234567"), "Mina (SMS)", utcnow())
    first = await deliver(http, base_url, hub, "text_in_persian_with_emoji_and_zero_width")
    assert first["contact_id"] != known["_id"]
    shared = await deliver(http, base_url, hub, "shared_phone_contact")
    assert shared["contact_id"] == known["_id"]
    assert shared["text"] == "Shared contact: مینا رضایی +989121234567"
    joined = await contacts.get(hub.db, known["_id"])
    assert joined is not None
    assert {"kind": TELEGRAM, "value": str(CUSTOMER_ID)} in joined["identities"]
    moved = await messages.get(hub.db, first["_id"])
    assert moved is not None and moved["contact_id"] == known["_id"]
    found = await contacts.find_by_identity(hub.db, Identity(TELEGRAM, str(CUSTOMER_ID)))
    assert found is not None and found["_id"] == known["_id"]


async def test_shared_own_phone_of_a_new_customer_is_added_to_their_identities(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    message = await deliver(http, base_url, hub, "shared_phone_contact")
    contact = await contacts.get(hub.db, message["contact_id"])
    assert contact is not None
    assert {"kind": PHONE, "value": "+989121234567"} in contact["identities"]


async def test_someone_elses_contact_card_is_not_taken_as_the_customers_phone(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    message = await deliver(http, base_url, hub, "shared_someone_elses_contact")
    contact = await contacts.get(hub.db, message["contact_id"])
    assert contact is not None
    assert [i["kind"] for i in contact["identities"]] == [TELEGRAM]
    assert message["extras"]["contact"]["name"] == "Sam"
