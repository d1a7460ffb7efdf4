"""One customer, one number: every way Twilio may write it comes out as the same E.164."""

from __future__ import annotations

import pytest

from channels.twilio.phones import NotAPhoneNumber, parse_address, region_of, twilio_address


@pytest.mark.parametrize(("raw", "region", "channel"), [
    ("+989121234567", None, "sms"),
    ("whatsapp:+989121234567", None, "whatsapp"),
    ("WhatsApp: +98 912 123 4567", None, "whatsapp"),
    ("09121234567", "IR", "sms"),
    ("۰۹۱۲ ۱۲۳ ۴۵۶۷", "IR", "sms"),          # Persian digits
    ("٠٩١٢١٢٣٤٥٦٧", "IR", "sms"),            # Arabic-Indic digits
    ("whatsapp:+۹۸۹۱۲۱۲۳۴۵۶۷", None, "whatsapp"),
    ("0912-123-4567", "IR", "sms"),
])
def test_every_spelling_of_one_number_is_the_same_e164(raw: str, region: str | None, channel: str) -> None:
    address = parse_address(raw, region)
    assert address.e164 == "+989121234567"
    assert address.channel == channel


def test_national_us_number_uses_the_region_given() -> None:
    assert parse_address("(415) 555-0100", "US").e164 == "+14155550100"


def test_region_comes_from_the_number_the_customer_wrote_to() -> None:
    assert region_of("+982112345678") == "IR"
    assert region_of("whatsapp:+14155550199") == "US"
    assert region_of("") is None


@pytest.mark.parametrize("raw", ["Acme", "", "whatsapp:", "12", "+1"])
def test_what_is_not_a_number_is_refused_with_a_reason(raw: str) -> None:
    with pytest.raises(NotAPhoneNumber):
        parse_address(raw, "US")


def test_replies_are_addressed_as_twilio_expects() -> None:
    assert twilio_address("whatsapp", "+989121234567") == "whatsapp:+989121234567"
    assert twilio_address("sms", "+989121234567") == "+989121234567"
