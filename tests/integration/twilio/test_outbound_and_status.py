"""Replies through the Messages API: errors typed by what retrying can fix, WhatsApp's 24-hour window,
templates, and delivery status that only moves forward."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from bson import ObjectId

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import messages
from hub.store.db import Doc
from hub.store.documents import Message
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.twilio.helpers import count_messages, inbound_by_sid, webhook
from tests.support.agents import login, make_user
from tests.support.polling import poll_until

TEMPLATE = "HX" + "0123456789abcdef" * 2


async def _agent(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> str:
    await make_user(hub.db, "agent@x.test")
    return await login(http, base_url, "agent@x.test")


async def _conversation(hub: Hub, base_url: str, http: aiohttp.ClientSession, name: str) -> Message:
    params = fixture(name)
    assert (await webhook(http, base_url, params))[0] == 200
    channel = "whatsapp" if params["From"].startswith("whatsapp:") else "sms"
    return await inbound_by_sid(hub, channel, params["MessageSid"])


async def _reply(http: aiohttp.ClientSession, base_url: str, csrf: str, conversation_id: object,
                 **body: object) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages", json=body,
                         headers={"X-CSRF-Token": csrf}) as r:
        return r.status, await r.json()


async def _settled(hub: Hub, message_id: str, check: str = "status") -> Doc:
    async def done() -> Message | None:
        doc = await messages.get(hub.db, ObjectId(message_id))
        if check == "status":
            return doc if doc and doc["status"] != "queued" else None
        return doc if doc and doc.get(check) else None

    return dict(await poll_until(done, f"reply {message_id} past queued (or with {check})"))


async def test_twilio_4xx_marks_the_reply_failed_with_its_code_and_message(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.answer_next(400, 21211, "The 'To' number +989121234567 is not a valid phone number.")
    status, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    assert status == 201
    failed = await _settled(hub, str(body["message"]["id"]))
    assert failed["status"] == "failed"
    assert failed["error"] == ("Twilio error 21211: the 'To' number is not a valid phone number "
                               "(The 'To' number +989121234567 is not a valid phone number.)")
    assert len(fake_twilio.requests) == 1  # not retried


@pytest.mark.parametrize(("status", "code"), [(503, 20503), (429, 20429)])
async def test_twilio_5xx_and_429_without_retry_after_are_retried_with_backoff(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio, status: int, code: int
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.answer_next(status, code, "Service Unavailable" if status == 503 else "Too Many Requests")
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    sent = await _settled(hub, str(body["message"]["id"]))
    assert sent["status"] == "sent" and sent["provider_id"].startswith("SM")
    assert sent["attempts"] == 2
    assert len(fake_twilio.requests) == 2


async def test_twilio_429_with_retry_after_reschedules_that_reply_for_then(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.answer_next(429, 20429, "Too Many Requests", retry_after="600")
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    waiting = await _settled(hub, str(body["message"]["id"]), check="last_error")
    assert waiting["status"] == "queued"
    assert "rate-limiting" in waiting["last_error"] and "20429" in waiting["last_error"]
    assert waiting["next_attempt_at"] - waiting["updated_at"] >= timedelta(seconds=590)


async def test_whatsapp_free_form_reply_after_24_hours_is_refused_with_what_to_do_instead(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "whatsapp_inbound_with_profile_name.json")
    await hub.db["conversations"].update_one(
        {"_id": inbound["conversation_id"]},
        {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(hours=25)}})
    status, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="Still there?")
    assert status == 409
    assert "25 hours ago" in str(body["error"]) and "template" in str(body["error"])
    assert await count_messages(hub, {"direction": "out"}) == 0

    status, body = await _reply(http, base_url, csrf, inbound["conversation_id"], content_sid=TEMPLATE,
                                content_variables={"1": "Mina", "2": "Tuesday"})
    assert status == 201, body
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["ContentSid"] == TEMPLATE
    assert sent.form["ContentVariables"] == '{"1": "Mina", "2": "Tuesday"}'
    assert "Body" not in sent.form
    assert sent.form["To"] == "whatsapp:+989121234567"


async def test_whatsapp_reply_within_24_hours_is_sent_as_free_text(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "whatsapp_inbound_with_profile_name.json")
    status, _ = await _reply(http, base_url, csrf, inbound["conversation_id"], text="Yes, within the window")
    assert status == 201
    assert (await fake_twilio.wait_for_requests(1))[0].form["Body"] == "Yes, within the window"


# A field of the wrong type is refused while the request is read (400); a template WhatsApp would not
# take is refused by the channel's reply rules, like any reply the channel cannot send (409).
@pytest.mark.parametrize(("extra", "code", "error"), [
    ({"content_sid": "HXnot-a-sid"}, 409, "content_sid must be an approved template's SID"),
    ({"content_sid": TEMPLATE, "content_variables": "[1, 2]"}, 409, "content_variables must be a JSON object"),
    ({"content_sid": 12}, 400, "'content_sid' must be a string"),
])
async def test_malformed_template_is_refused_with_a_readable_message(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, extra: dict[str, object], code: int, error: str
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "whatsapp_inbound_with_profile_name.json")
    status, body = await _reply(http, base_url, csrf, inbound["conversation_id"], **extra)
    assert status == code, body
    assert error in str(body["error"])
    assert await count_messages(hub, {"direction": "out"}) == 0


@pytest.mark.twilio_env(TWILIO_SMS_FROM=None, TWILIO_MESSAGING_SERVICE_SID="MG" + "ab" * 16)
async def test_without_a_sender_number_sms_goes_out_through_the_messaging_service(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    await _reply(http, base_url, csrf, inbound["conversation_id"], text="via the service")
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["MessagingServiceSid"] == "MG" + "ab" * 16
    assert "From" not in sent.form


async def test_statuses_arriving_delivered_then_sent_then_queued_leave_it_delivered(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    message_id = str(body["message"]["id"])
    sid = (await _settled(hub, message_id, check="provider_id"))["provider_id"]
    for name in ("status_delivered.json", "status_sent.json", "status_queued.json"):
        status, _ = await webhook(http, base_url, fixture(name, sid=sid), path="/webhooks/twilio/status")
        assert status == 200
    stored = await messages.get(hub.db, ObjectId(message_id))
    assert stored is not None and stored["status"] == "delivered"
    status, _ = await webhook(http, base_url, fixture("status_read.json", sid=sid), path="/webhooks/twilio/status")
    stored = await messages.get(hub.db, ObjectId(message_id))
    assert stored is not None and stored["status"] == "read"


async def test_failed_whatsapp_status_carries_twilios_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "whatsapp_inbound_with_profile_name.json")
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    message_id = str(body["message"]["id"])
    sid = (await _settled(hub, message_id, check="provider_id"))["provider_id"]
    await webhook(http, base_url, fixture("status_failed_whatsapp_window_closed.json", sid=sid),
                  path="/webhooks/twilio/status")
    stored = await messages.get(hub.db, ObjectId(message_id))
    assert stored is not None and stored["status"] == "failed"
    assert (stored["error"] or "").startswith("Twilio error 63016: the 24-hour WhatsApp window is closed")


async def test_status_for_an_unknown_sid_gets_200_and_a_log_line(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="channels.twilio.views")
    status, _ = await webhook(http, base_url, fixture("status_delivered.json", sid="SM" + "f" * 32),
                              path="/webhooks/twilio/status")
    assert status == 200
    assert any("unknown message sid=SM" + "f" * 32 in r.getMessage() for r in caplog.records)


async def test_status_callback_with_a_bad_signature_is_refused_and_changes_nothing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    message_id = str(body["message"]["id"])
    sid = (await _settled(hub, message_id, check="provider_id"))["provider_id"]
    status, _ = await webhook(http, base_url, fixture("status_delivered.json", sid=sid),
                              path="/webhooks/twilio/status", token="forged")
    assert status == 403
    stored = await messages.get(hub.db, ObjectId(message_id))
    assert stored is not None and stored["status"] == "sent"


@pytest.mark.parametrize(("drop", "error"), [("MessageSid", "no MessageSid"), ("MessageStatus", "no MessageStatus")])
async def test_status_callback_missing_its_sid_or_status_gets_400(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, drop: str, error: str
) -> None:
    params = fixture("status_delivered.json", sid="SM" + "1" * 32)
    del params[drop], params["Sms" + drop.removeprefix("Message")]
    status, text = await webhook(http, base_url, params, path="/webhooks/twilio/status")
    assert status == 400 and error in text


async def test_segment_counter_tells_the_composer_encoding_and_segments(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await _agent(hub, base_url, http)
    cases = {"a" * 161: ("GSM-7", 2), "سلام " * 14: ("UCS-2", 1), "سلام " * 15: ("UCS-2", 2)}
    for text, (encoding, count) in cases.items():
        async with http.post(f"{base_url}/api/v1/sms/segments", json={"text": text},
                             headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == 200
            got = await r.json()
        assert (got["encoding"], got["segments"], got["characters"]) == (encoding, count, len(text))
    async with http.post(f"{base_url}/api/v1/sms/segments", json={}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 400 and "'text' is required" in (await r.json())["error"]


async def test_segment_counter_needs_a_signed_in_agent(base_url: str, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{base_url}/api/v1/sms/segments", json={"text": "hi"}) as r:
        assert r.status == 401
