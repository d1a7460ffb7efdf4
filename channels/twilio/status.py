"""Twilio's message statuses and error codes, in the hub's terms and in sentences agents can read."""

from __future__ import annotations

# Twilio status -> hub status. Statuses before "sent" change nothing: the reply is already queued.
HUB_STATUS: dict[str, str | None] = {
    "accepted": None, "scheduled": None, "queued": None, "sending": None,
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "undelivered": "undelivered",
    "failed": "failed",
    "canceled": "failed",
}

# The codes agents meet most; any other shows Twilio's own message, or its code and the docs link.
ERROR_REASONS: dict[int, str] = {
    21211: "the 'To' number is not a valid phone number",
    21408: "sending to this country is not enabled on the Twilio account",
    21610: "the customer has opted out (replied STOP); they must text START before we can write again",
    21612: "Twilio cannot route a message from this sender to that number",
    21614: "the number is not a mobile number and cannot receive SMS",
    30003: "the customer's phone is unreachable (switched off or out of coverage)",
    30004: "the message was blocked (the customer or their carrier blocks this sender)",
    30005: "the number does not exist or is no longer in service",
    30006: "the number is a landline or its carrier cannot receive SMS",
    30007: "the carrier filtered the message as spam",
    30008: "the carrier reported an unknown delivery error",
    63003: "the number is not on WhatsApp",
    63016: "the 24-hour WhatsApp window is closed; send an approved template instead",
    63024: "the WhatsApp recipient is not a valid WhatsApp user",
}


def error_reason(code: object, message: str | None = None) -> str:
    """"Twilio error 30003: the customer's phone is unreachable …" for a person to act on."""
    text = (message or "").strip()
    try:
        number = int(str(code))
    except (TypeError, ValueError):
        return f"Twilio reported an error: {text}" if text else "Twilio reported an error without a code"
    known = ERROR_REASONS.get(number)
    if known and text and text.lower() not in known.lower():
        return f"Twilio error {number}: {known} ({text})"
    if known:
        return f"Twilio error {number}: {known}"
    if text:
        return f"Twilio error {number}: {text}"
    return f"Twilio error {number} (see https://www.twilio.com/docs/errors/{number})"
