"""Phone numbers as Twilio writes them (`whatsapp:+98…`, national formats, Persian digits) -> E.164."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

WHATSAPP_PREFIX = "whatsapp:"


class NotAPhoneNumber(ValueError):
    pass


@dataclass(frozen=True)
class Address:
    channel: str  # "sms" or "whatsapp"
    e164: str


def region_of(raw: str) -> str | None:
    """The country of a number already in international form, to read a national-format partner."""
    try:
        parsed = phonenumbers.parse(strip_channel(raw)[1], None)
    except phonenumbers.NumberParseException:
        return None
    region: str | None = phonenumbers.region_code_for_number(parsed)
    return region if region and region != "ZZ" else None


def strip_channel(raw: str) -> tuple[str, str]:
    value = raw.strip()
    if value.lower().startswith(WHATSAPP_PREFIX):
        return "whatsapp", value[len(WHATSAPP_PREFIX):].strip()
    return "sms", value


def to_e164(raw: str, region: str | None) -> str:
    """E.164 for any digits phonenumbers reads (it folds Persian and Arabic-Indic digits itself)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise NotAPhoneNumber(f"{raw!r} is not a phone number ({exc})") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise NotAPhoneNumber(f"{raw!r} is not a possible phone number")
    formatted: str = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return formatted


def parse_address(raw: str, region: str | None) -> Address:
    """`whatsapp:+98 912…` or `09121234567` -> the channel it came on and the E.164 number."""
    channel, number = strip_channel(raw)
    if not number:
        raise NotAPhoneNumber("the address has no number")
    return Address(channel, to_e164(number, region))


def twilio_address(channel: str, e164: str) -> str:
    return f"{WHATSAPP_PREFIX}{e164}" if channel == "whatsapp" else e164
