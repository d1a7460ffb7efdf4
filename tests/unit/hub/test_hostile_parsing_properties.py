"""The request parsers as functions: hostile values give a BadInput with a reason or a storable value,
never another exception; lone surrogates never survive; secrets never survive redaction."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import quote

import bson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from channels.base import WEBCHAT, Identity, InboundMessage, without_surrogates, without_surrogates_in
from hub import redaction
from hub.clock import utcnow
from hub.errors import BadInput
from hub.http import json_body, params
from tests.support.hostile import FUZZ, JSON_VALUES, ODD_TEXT, QUERY_VALUES, bodies, deep_nesting, dumps

MANY = FUZZ.__class__(FUZZ, max_examples=300)


def _storable(value: Any) -> None:
    bson.encode({"v": value})  # raises for surrogates, >64-bit ints, and depth past the encoder's limit


@MANY
@given(raw=bodies(["text", "name"]))
def test_any_body_parses_to_a_storable_value_or_a_bad_input(raw: bytes) -> None:
    try:
        value = json_body.loads(raw)
    except BadInput as exc:
        assert exc.message
        return
    _storable(value)


@MANY
@given(value=JSON_VALUES)
def test_a_json_value_keeps_its_shape_with_surrogates_replaced(value: Any) -> None:
    try:
        parsed = json_body.loads(dumps(value))
    except BadInput as exc:
        assert "too large" in exc.message
        return
    assert json.dumps(parsed, ensure_ascii=False).encode("utf-8")  # no lone surrogate left anywhere
    assert type(parsed) is type(value)


@FUZZ
@given(raw=deep_nesting())
def test_nesting_deeper_than_the_limit_is_refused_by_name(raw: bytes) -> None:
    try:
        value = json_body.loads(raw)
    except BadInput as exc:
        assert exc.message in (json_body.TOO_DEEP, json_body.NOT_JSON)
        return
    _storable(value)


def test_depth_up_to_the_limit_is_accepted() -> None:
    depth = json_body.MAX_DEPTH
    assert json_body.loads("[" * depth + "]" * depth) is not None
    with pytest.raises(BadInput, match="nested too deeply"):
        json_body.loads("[" * (depth + 1) + "]" * (depth + 1))


@MANY
@given(text=ODD_TEXT)
def test_without_surrogates_leaves_utf8_encodable_text_and_keeps_the_rest(text: str) -> None:
    cleaned = without_surrogates(text)
    cleaned.encode("utf-8")
    assert len(cleaned) == len(text)
    assert all(a == b or b == "\ufffd" for a, b in zip(text, cleaned, strict=True))
    if not any("\ud800" <= c <= "\udfff" for c in text):
        assert cleaned is text


@FUZZ
@given(text=ODD_TEXT, name=ODD_TEXT, extras=st.dictionaries(ODD_TEXT, JSON_VALUES, max_size=3))
def test_an_inbound_message_holds_no_lone_surrogate_anywhere(text: str, name: str, extras: dict[str, Any]) -> None:
    extras = {k: v for k, v in extras.items() if not isinstance(v, int) or -(2**63) <= v < 2**63}
    message = InboundMessage(channel="webchat", identity=Identity(WEBCHAT, name or "v"), text=text,
                             received_at=utcnow(), external_id=name, contact_name=name, subject=text, html=text,
                             raw={"text": text, "nested": [{"name": name}]}, extras=extras)
    try:
        bson.encode({"raw": dict(message.raw), "extras": dict(message.extras)})
    except OverflowError:
        return  # a number past 64 bits inside extras: not a surrogate matter
    for value in (message.text, message.contact_name, message.subject, message.html, message.external_id,
                  message.identity.value):
        assert value is not None
        value.encode("utf-8")


def test_clean_values_are_passed_through_untouched() -> None:
    value = {"a": ["b", {"c": "d"}], "e": 1}
    assert without_surrogates_in(value) is value


@MANY
@given(raw=QUERY_VALUES, lo=st.integers(-10, 10), span=st.integers(0, 10**6))
def test_int_param_gives_a_number_in_range_or_names_the_parameter(raw: str, lo: int, span: int) -> None:
    try:
        value = params.int_param({"limit": raw}, "limit", lo, lo, lo + span)
    except BadInput as exc:
        assert "'limit'" in exc.message
        return
    assert lo <= value <= lo + span


@MANY
@given(raw=QUERY_VALUES)
def test_stamp_date_and_id_params_give_a_value_or_name_the_parameter(raw: str) -> None:
    for parse in (params.stamp_param, params.date_param, params.oid_param):
        try:
            value = parse({"since": raw}, "since")
        except BadInput as exc:
            assert "'since'" in exc.message
            continue
        if isinstance(value, datetime):
            assert value.tzinfo is not None
            _storable(value)


@pytest.mark.parametrize("raw", ["99999999999999999999999", "9" * 5000, "²", "-1", "1e9", "253402300800000"])
def test_a_stamp_past_year_9999_or_not_a_number_is_refused(raw: str) -> None:
    with pytest.raises(BadInput, match="'since' must be a time in milliseconds"):
        params.stamp_param({"since": raw}, "since")


@FUZZ
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FFF), min_size=6, max_size=40),
       before=st.text(max_size=20), after=st.text(max_size=20))
def test_a_hidden_secret_never_survives_redaction_as_written_or_url_encoded(secret: str, before: str,
                                                                          after: str) -> None:
    redactor = redaction.Redactor()  # not the process's: random secrets must not mask later tests' logs
    redactor.hide(secret)
    assert secret not in redactor.redact(before + secret + after)
    assert quote(secret, safe="") not in redactor.redact(before + quote(secret, safe="") + after)


def test_a_bot_token_in_any_url_is_redacted_even_if_never_configured() -> None:
    line = "HTTP Request: POST https://api.telegram.org/bot123456789:AAF-never_configured/sendMessage 200"
    assert redaction.redact(line) == "HTTP Request: POST https://api.telegram.org/bot[redacted]/sendMessage 200"
    download = "GET https://api.telegram.org/file/bot123456789%3AAAF-never_configured/photos/file_7.jpg"
    assert redaction.redact(download) == "GET https://api.telegram.org/file/bot[redacted]/photos/file_7.jpg"


def test_records_and_tracebacks_are_redacted_for_every_handler(caplog: pytest.LogCaptureFixture) -> None:
    redaction.install("mongo-password-for-the-test")
    caplog.set_level(logging.INFO)
    log = logging.getLogger("some.library")
    log.info("connecting to %s", "mongodb://hub:mongo-password-for-the-test@db:27017/")
    try:
        raise ConnectionError("auth failed for mongodb://hub:mongo-password-for-the-test@db")
    except ConnectionError:
        log.exception("giving up")
    assert "mongo-password-for-the-test" not in caplog.text
    assert caplog.text.count("[redacted]") >= 2


def test_secrets_are_found_in_settings_and_the_environment(tmp_path: Any) -> None:
    from channels.telegram.settings import TelegramSettings
    from hub.settings import Settings

    settings = Settings(_env_file=None, secret_key="key-from-settings",  # type: ignore[call-arg]
                        mongo_url="mongodb://u:p%40ssword-here@h/")
    assert set(redaction.secrets_in(settings)) >= {"key-from-settings", "p@ssword-here"}
    telegram = TelegramSettings(_env_file=None, bot_token="1:tok-from-telegram",  # type: ignore[call-arg]
                                webhook_secret="webhook-secret")
    assert set(redaction.secrets_in(telegram)) == {"1:tok-from-telegram", "webhook-secret"}
    env_file = tmp_path / ".env"
    env_file.write_text("EMAIL_SMTP_PASSWORD=from-dot-env\nOTHER_TOKEN=not-ours\n")
    found = redaction.secrets_in_environment({"TWILIO_AUTH_TOKEN": "twilio-token", "HUB_VISITOR_TOKEN_DAYS": "365",
                                              "PATH": "/usr/bin"}, env_file)
    assert set(found) == {"twilio-token", "from-dot-env"}
