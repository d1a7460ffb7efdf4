"""A customer texts, an agent sees it live and answers, Twilio gets the reply, and its delivery status
comes back to the inbox, only ever moving forward."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.twilio.conftest import PUBLIC_URL, SMS_FROM, WHATSAPP_FROM
from tests.integration.twilio.helpers import inbound_by_sid, webhook
from tests.support.agents import login, make_user, next_event, sse_events
from tests.support.polling import poll_until

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _message_api(http: aiohttp.ClientSession, base_url: str, conversation_id: str, message_id: str
                       ) -> dict[str, object]:
    async with http.get(f"{base_url}/api/v1/conversations/{conversation_id}/messages") as r:
        assert r.status == 200
        timeline = (await r.json())["messages"]
    return next(m for m in timeline if m["id"] == message_id)


async def test_sms_reaches_agent_live_reply_reaches_twilio_and_status_only_moves_forward(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    await make_user(hub.db, "agent@x.test", departments=("Support",))
    csrf = await login(http, base_url, "agent@x.test")
    inbound = fixture("sms_inbound_persian_text.json")
    async with http.get(f"{base_url}/inbox/events") as stream_response:
        stream = sse_events(stream_response)
        await next_event(stream, "ready", {})
        status, body = await webhook(http2, base_url, inbound)
        assert (status, body) == (200, EMPTY_TWIML)
        seen = await next_event(stream, "messages", {"text": "سلام، سفارش من کجاست؟", "direction": "in"})
    conversation_id = seen["conversation_id"]

    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                         json={"text": "Your order ships today.", "client_key": "k1"},
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201, await r.text()
        reply = (await r.json())["message"]
    assert reply["channel"] == "sms"

    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["To"] == "+989121234567"
    assert sent.form["From"] == SMS_FROM
    assert sent.form["Body"] == "Your order ships today."
    assert sent.form["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio/status"

    async def provider_id() -> object:
        return (await _message_api(http, base_url, conversation_id, reply["id"])).get("provider_id")

    sid = str(await poll_until(provider_id, "the first reply's Twilio sid in the API"))
    for name in ("status_sent.json", "status_delivered.json", "status_sent.json", "status_queued.json"):
        status, _ = await webhook(http2, base_url, fixture(name, sid=sid), path="/webhooks/twilio/status")
        assert status == 200
    shown = await _message_api(http, base_url, conversation_id, reply["id"])
    assert shown["status"] == "delivered"

    # A second reply that the carrier cannot deliver: the reason reaches the agent through the API.
    async with http.post(f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                         json={"text": "Are you there?"}, headers={"X-CSRF-Token": csrf}) as r:
        second = (await r.json())["message"]
    await fake_twilio.wait_for_requests(2)

    async def second_sid() -> object:
        return (await _message_api(http, base_url, conversation_id, second["id"])).get("provider_id")

    sid2 = str(await poll_until(second_sid, "the second reply's Twilio sid in the API"))
    status, _ = await webhook(http2, base_url, fixture("status_undelivered_unreachable_handset.json", sid=sid2),
                              path="/webhooks/twilio/status")
    assert status == 200
    status, _ = await webhook(http2, base_url, fixture("status_delivered.json", sid=sid2),
                              path="/webhooks/twilio/status")
    failed = await _message_api(http, base_url, conversation_id, second["id"])
    assert failed["status"] == "undelivered"
    assert failed["error"] == ("Twilio error 30003: the customer's phone is unreachable "
                               "(switched off or out of coverage)")


async def test_whatsapp_from_a_number_that_texted_by_sms_joins_the_same_contact_and_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    await make_user(hub.db, "agent@x.test")
    assert (await webhook(http, base_url, fixture("sms_inbound_persian_text.json")))[0] == 200
    assert (await webhook(http, base_url, fixture("whatsapp_inbound_with_profile_name.json")))[0] == 200
    sms = await inbound_by_sid(hub, "sms", "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0")
    whatsapp = await inbound_by_sid(hub, "whatsapp", "SM2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d")
    assert whatsapp["contact_id"] == sms["contact_id"]
    assert whatsapp["conversation_id"] == sms["conversation_id"]
    contact = await hub.db["contacts"].find_one({"_id": sms["contact_id"]})
    assert contact is not None
    assert contact["identities"] == [{"kind": "phone", "value": "+989121234567"}]
    assert contact["name"] == "Mina Rahimi"

    csrf = await login(http, base_url, "agent@x.test")
    async with http.post(f"{base_url}/api/v1/conversations/{sms['conversation_id']}/messages",
                         json={"text": "Hello Mina!"}, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201, await r.text()
        assert (await r.json())["message"]["channel"] == "whatsapp"  # the channel she used last
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["To"] == "whatsapp:+989121234567"
    assert sent.form["From"] == f"whatsapp:{WHATSAPP_FROM}"
    assert sent.form["StatusCallback"] == f"{PUBLIC_URL}/webhooks/twilio/status"


async def test_sms_from_a_national_number_in_persian_digits_is_the_same_contact_as_its_e164_form(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    assert (await webhook(http, base_url, fixture("sms_inbound_persian_text.json")))[0] == 200
    assert (await webhook(http, base_url, fixture("sms_from_national_number_in_persian_digits.json")))[0] == 200
    first = await inbound_by_sid(hub, "sms", "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0")
    national = await inbound_by_sid(hub, "sms", "SM5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a")
    assert national["contact_id"] == first["contact_id"]
