"""WhatsApp's 24-hour window, Twilio's error answers, and status reasons, as plain functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.base import ChannelError, ChannelRateLimited, ChannelRejected
from channels.twilio.channel import WhatsAppChannel, error_for
from channels.twilio.pacing import Pacer
from channels.twilio.settings import TwilioSettings
from channels.twilio.status import error_reason

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TEMPLATE = "HX" + "ab" * 16


def _whatsapp() -> WhatsAppChannel:
    settings = TwilioSettings(_env_file=None, account_sid="AC1", auth_token="t")  # type: ignore[call-arg]
    return WhatsAppChannel("whatsapp", None, settings, "http://hub/webhooks/twilio/status", Pacer(10))


def _conversation(hours_ago: float | None) -> dict[str, object]:
    if hours_ago is None:
        return {}
    return {"last_inbound_at_by_channel": {"whatsapp": NOW - timedelta(hours=hours_ago)}}


def test_free_text_inside_the_window_is_allowed() -> None:
    assert _whatsapp().refuse_reply(_conversation(23.9), {}, NOW) is None


def test_free_text_after_the_window_is_refused_naming_the_template_way() -> None:
    refusal = _whatsapp().refuse_reply(_conversation(30), {}, NOW)
    assert refusal is not None and "30 hours ago" in refusal and "content_sid" in refusal


def test_free_text_to_someone_who_never_wrote_on_whatsapp_is_refused() -> None:
    refusal = _whatsapp().refuse_reply(_conversation(None), {}, NOW)
    assert refusal is not None and "template" in refusal


def test_an_approved_template_is_allowed_outside_the_window() -> None:
    extras = {"content_sid": TEMPLATE, "content_variables": '{"1": "Mina"}'}
    assert _whatsapp().refuse_reply(_conversation(100), extras, NOW) is None


def test_naive_timestamps_are_read_as_utc() -> None:
    conversation = {"last_inbound_at_by_channel": {"whatsapp": (NOW - timedelta(hours=1)).replace(tzinfo=None)}}
    assert _whatsapp().refuse_reply(conversation, {}, NOW) is None


def test_twilio_4xx_is_a_rejection_with_code_and_message() -> None:
    error = error_for(400, '{"code": 21610, "message": "Attempt to send to unsubscribed recipient"}', None)
    assert isinstance(error, ChannelRejected)
    assert error.reason == ("Twilio error 21610: the customer has opted out (replied STOP); they must text START "
                            "before we can write again (Attempt to send to unsubscribed recipient)")


def test_twilio_429_with_retry_after_is_rate_limited_for_that_long() -> None:
    error = error_for(429, '{"code": 20429, "message": "Too Many Requests"}', "7")
    assert isinstance(error, ChannelRateLimited) and error.retry_after == 7.0 and error.transient


@pytest.mark.parametrize(("status", "body"), [(429, "{}"), (500, "oops"), (503, '{"code": 20503}')])
def test_twilio_429_without_retry_after_and_5xx_are_transient(status: int, body: str) -> None:
    error = error_for(status, body, None)
    assert type(error) is ChannelError and error.transient


def test_unreadable_4xx_still_says_what_happened() -> None:
    error = error_for(404, "<html>not found</html>", None)
    assert isinstance(error, ChannelRejected) and "404" in error.reason


@pytest.mark.parametrize(("code", "message", "reason"), [
    ("30003", None, "Twilio error 30003: the customer's phone is unreachable (switched off or out of coverage)"),
    ("99999", "Something new", "Twilio error 99999: Something new"),
    ("99999", None, "Twilio error 99999 (see https://www.twilio.com/docs/errors/99999)"),
    (None, "odd", "Twilio reported an error: odd"),
])
def test_error_codes_read_as_sentences(code: str | None, message: str | None, reason: str) -> None:
    assert error_reason(code, message) == reason
