"""A webhook's form -> InboundMessage, and the bad forms that get a clear 400."""

from __future__ import annotations

import pytest

from channels.base import ChannelInputError
from channels.twilio.inbound import parse
from channels.twilio.webhook import parse_form
from hub.clock import utcnow
from tests.fakes.twilio import fixture


def test_sms_fixture_becomes_an_sms_message_from_the_e164_number() -> None:
    parsed = parse(fixture("sms_inbound_persian_text.json"), "US", utcnow())
    message = parsed.message
    assert (message.channel, message.identity.kind, message.identity.value) == ("sms", "phone", "+989121234567")
    assert message.external_id == "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0"
    assert message.text == "سلام، سفارش من کجاست؟"
    assert message.raw["AccountSid"].startswith("AC")
    assert parsed.media == []


def test_whatsapp_image_lists_its_media_as_pending_attachments() -> None:
    parsed = parse(fixture("whatsapp_image_with_caption.json", media_url="https://api.twilio.com/x"), "US", utcnow())
    assert parsed.message.channel == "whatsapp"
    assert parsed.message.contact_name == "Mina Rahimi"
    assert [(m.url, m.content_type) for m in parsed.media] == [("https://api.twilio.com/x", "image/jpeg")]
    [pending] = parsed.message.attachments
    assert pending.file_id is None and pending.refused_reason is None
    assert pending.filename == "MM3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e-0.jpg"


@pytest.mark.parametrize(("change", "error"), [
    ({"NumMedia": "11"}, "NumMedia must be between 0 and 10"),
    ({"NumMedia": "-1"}, "NumMedia must be between 0 and 10"),
    ({"NumMedia": "2"}, "MediaUrl1 is missing"),
    ({"Latitude": "north"}, "must both be numbers"),
    ({"Longitude": "nan"}, "out of range"),
    ({"From": "whatsapp:"}, "From:"),
])
def test_inconsistent_fields_are_refused_with_what_is_wrong(change: dict[str, str], error: str) -> None:
    params = {**fixture("whatsapp_image_with_caption.json", media_url="https://api.twilio.com/x"),
              "Latitude": "1", "Longitude": "2", **change}
    with pytest.raises(ChannelInputError, match=error):
        parse(params, "US", utcnow())


def test_media_only_message_needs_no_body() -> None:
    params = fixture("whatsapp_image_with_caption.json", media_url="https://api.twilio.com/x")
    del params["Body"]
    assert parse(params, "US", utcnow()).message.text == ""


@pytest.mark.parametrize("body", [b"Body=%E0%A4", b"Body=100%", b"Body=\xc3\x28", b"&&"])
def test_broken_form_encodings_are_refused(body: bytes) -> None:
    with pytest.raises(ChannelInputError, match="form body"):
        parse_form(body)


def test_plus_and_percent_twenty_are_both_spaces() -> None:
    assert parse_form(b"Body=a+b%20c&To=%2B1")["Body"] == "a b c"
