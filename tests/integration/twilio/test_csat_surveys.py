"""Satisfaction surveys by SMS and WhatsApp: "reply 1–5" text, WhatsApp's quick-reply template outside the
24-hour window (or no survey without one), and the customer's number coming back as the rating."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from bson import ObjectId

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import conversations, csat
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.csat.helpers import set_status, turn_on_survey
from tests.integration.twilio.helpers import inbound_by_sid, webhook
from tests.support.polling import poll_until

SURVEY_SID = "HX" + "ab" * 16


async def _customer_writes(hub: Hub, http2: aiohttp.ClientSession, base_url: str, name: str, channel: str) -> str:
    """The provider posts the fixture `name`; the id of the conversation it landed in."""
    payload = fixture(name)
    assert (await webhook(http2, base_url, payload))[0] == 200
    return str((await inbound_by_sid(hub, channel, payload["MessageSid"]))["conversation_id"])


async def test_sms_survey_asks_for_a_number_and_a_persian_five_rates_without_reopening(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _customer_writes(hub, http2, base_url, "sms_inbound_persian_text.json", "sms")
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    [survey] = await fake_twilio.wait_for_requests(1)
    assert survey.form["To"] == "+989121234567"
    assert "1" in survey.form["Body"] and "5" in survey.form["Body"] and "ContentSid" not in survey.form

    answer = fixture("sms_reply_persian_digit_five_to_survey.json")
    assert (await webhook(http2, base_url, answer))[0] == 200
    rating = await csat.for_conversation(hub.db, ObjectId(conversation_id))
    assert rating is not None and (rating["score"], rating["channel"]) == (5, "sms")
    still = await conversations.get(hub.db, ObjectId(conversation_id))
    assert still is not None and still["status"] == "resolved"
    stored = await inbound_by_sid(hub, "sms", answer["MessageSid"])
    assert str(stored["conversation_id"]) == conversation_id  # the "۵" stays beside the survey it answers


@pytest.mark.twilio_env(TWILIO_SURVEY_CONTENT_SID=SURVEY_SID)
async def test_whatsapp_survey_outside_the_window_is_the_quick_reply_template_and_a_button_rates(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _customer_writes(hub, http2, base_url, "whatsapp_inbound_with_profile_name.json",
                                             "whatsapp")
    await hub.db["conversations"].update_one(  # the customer last wrote two days ago
        {"_id": ObjectId(conversation_id)},
        {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(days=2)}})
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    [survey] = await fake_twilio.wait_for_requests(1)
    assert survey.form["To"] == "whatsapp:+989121234567"
    assert survey.form["ContentSid"] == SURVEY_SID and "Body" not in survey.form

    pressed = fixture("whatsapp_quick_reply_button_pressed.json")
    assert (await webhook(http2, base_url, pressed))[0] == 200
    rating = await csat.for_conversation(hub.db, ObjectId(conversation_id))
    assert rating is not None and (rating["score"], rating["channel"]) == (4, "whatsapp")


async def test_whatsapp_survey_is_not_queued_outside_the_window_without_a_template(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await turn_on_survey(hub, http, base_url)
    conversation_id = await _customer_writes(hub, http2, base_url, "whatsapp_inbound_with_profile_name.json",
                                             "whatsapp")
    await hub.db["conversations"].update_one(
        {"_id": ObjectId(conversation_id)},
        {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(days=2)}})
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    after = await conversations.get(hub.db, ObjectId(conversation_id))
    assert after is not None and "csat_survey" not in after
    assert await hub.db["messages"].count_documents({"client_key": f"csat:{conversation_id}"}) == 0


async def test_survey_waits_for_its_delay_in_the_outbox_and_a_non_rating_reply_reopens(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await turn_on_survey(hub, http, base_url, delay=3600)
    conversation_id = await _customer_writes(hub, http2, base_url, "sms_inbound_persian_text.json", "sms")
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    resolved = await conversations.get(hub.db, ObjectId(conversation_id))
    assert resolved is not None
    queued = await hub.db["messages"].find_one({"client_key": f"csat:{conversation_id}"})
    assert queued is not None and queued["status"] == "queued"
    assert queued["next_attempt_at"] - resolved["resolved_at"] == timedelta(seconds=3600)

    async def survey_still_queued() -> bool:
        doc = await hub.db["messages"].find_one({"_id": queued["_id"]})
        return bool(doc and doc["status"] == "queued" and doc.get("attempts") == 0)

    await poll_until(survey_still_queued, "the survey waiting in the outbox")
    assert fake_twilio.created == []
    words = fixture("sms_reply_persian_digit_five_to_survey.json")
    words["Body"] = "5 بسته دیگر هم رسید؟"
    assert (await webhook(http2, base_url, words))[0] == 200
    stored = await inbound_by_sid(hub, "sms", words["MessageSid"])
    assert await csat.for_conversation(hub.db, ObjectId(conversation_id)) is None
    conversation = await conversations.get(hub.db, stored["conversation_id"])
    assert conversation is not None and conversation["status"] != "resolved"


async def test_a_survey_whose_conversation_was_reopened_is_withheld_and_a_new_resolve_queues_it_again(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await turn_on_survey(hub, http, base_url, delay=3600)
    conversation_id = await _customer_writes(hub, http2, base_url, "sms_inbound_persian_text.json", "sms")
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    await set_status(http, base_url, csrf, conversation_id, "open")
    survey = await hub.db["messages"].find_one({"client_key": f"csat:{conversation_id}"})
    assert survey is not None
    await hub.db["messages"].update_one({"_id": survey["_id"]}, {"$set": {"next_attempt_at": utcnow()}})  # due now
    hub.outbox_wakeup.set()

    async def withheld() -> dict[str, object] | None:
        doc = await hub.db["messages"].find_one({"_id": survey["_id"], "withheld": True})
        return dict(doc) if doc else None

    settled = await poll_until(withheld, "the survey of a reopened conversation withheld")
    assert settled["status"] == "failed" and "reopened" in str(settled["error"])
    assert fake_twilio.created == []
    await set_status(http, base_url, csrf, conversation_id, "resolved")
    again = await hub.db["messages"].find_one({"_id": survey["_id"]})
    resolved = await conversations.get(hub.db, ObjectId(conversation_id))
    assert again is not None and resolved is not None and again["status"] == "queued"
    assert again["next_attempt_at"] - resolved["resolved_at"] == timedelta(seconds=3600)
    assert await hub.db["messages"].count_documents({"client_key": f"csat:{conversation_id}"}) == 1
