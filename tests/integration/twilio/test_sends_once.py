"""A reply whose send to Twilio ended without an answer is looked up at Twilio before any resend:
found, its SID is adopted; the customer gets one message."""

from __future__ import annotations

import aiohttp
import pytest
from bson import ObjectId

from hub.runtime import Hub
from hub.store import messages
from hub.store.db import Doc
from hub.store.documents import Message
from tests.fakes.twilio import FakeTwilio
from tests.integration.twilio.test_outbound_and_status import _agent, _conversation, _reply
from tests.support.polling import poll_until

pytestmark = pytest.mark.hub_settings(outbox_lease_seconds=0.5)  # a send times out after two leases: 1 s


async def _settled(hub: Hub, message_id: str) -> Doc:
    async def done() -> Message | None:
        doc = await messages.get(hub.db, ObjectId(message_id))
        return doc if doc and doc["status"] != "queued" else None

    return dict(await poll_until(done, f"reply {message_id} past queued", timeout=20))


async def test_a_send_twilio_took_but_never_answered_is_adopted_not_sent_again(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.delay_seconds = 3.0  # past the hub's send timeout: the message exists, the answer is lost
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="یک بار")
    sent = await _settled(hub, str(body["message"]["id"]))
    assert [m["body"] for m in fake_twilio.created] == ["یک بار"]
    assert sent["status"] == "sent" and sent["provider_id"] == fake_twilio.created[0]["sid"]
    assert sent["reconciled_at"] and sent["attempts"] == 2
    looked_up = fake_twilio.list_requests[0]
    assert looked_up["To"] == "+989121234567" and looked_up["From"] == "+14155550100"


async def test_a_server_error_that_hid_a_created_message_is_adopted(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.answer_next(500, 20500, "Internal Server Error", after_create=True)
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    sent = await _settled(hub, str(body["message"]["id"]))
    assert len(fake_twilio.created) == 1 and len(fake_twilio.requests) == 1
    assert sent["status"] == "sent" and sent["provider_id"] == fake_twilio.created[0]["sid"]


async def test_an_earlier_identical_reply_to_the_same_number_is_never_adopted(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    _, first = await _reply(http, base_url, csrf, inbound["conversation_id"], text="OK")
    first_sent = await _settled(hub, str(first["message"]["id"]))
    fake_twilio.delay_seconds = 3.0
    _, second = await _reply(http, base_url, csrf, inbound["conversation_id"], text="OK")
    second_sent = await _settled(hub, str(second["message"]["id"]))
    assert [m["body"] for m in fake_twilio.created] == ["OK", "OK"]
    assert first_sent["provider_id"] == fake_twilio.created[0]["sid"]
    assert second_sent["provider_id"] == fake_twilio.created[1]["sid"] and second_sent["reconciled_at"]


async def test_a_send_that_never_reached_twilio_is_sent_after_the_lookup_finds_nothing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    inbound = await _conversation(hub, base_url, http, "sms_inbound_persian_text.json")
    fake_twilio.answer_next(503, 20503, "Service Unavailable")  # refused before anything was made
    _, body = await _reply(http, base_url, csrf, inbound["conversation_id"], text="hello")
    sent = await _settled(hub, str(body["message"]["id"]))
    assert len(fake_twilio.list_requests) == 1 and len(fake_twilio.created) == 1
    assert sent["status"] == "sent" and sent["provider_id"] == fake_twilio.created[0]["sid"]
    assert "reconciled_at" not in sent
