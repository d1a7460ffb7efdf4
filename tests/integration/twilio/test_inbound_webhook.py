"""POST /webhooks/twilio: only what Twilio signed for our public URL gets in, exactly once, intact."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from hub.runtime import Hub
from tests.fakes.twilio import fixture, sign
from tests.integration.twilio.conftest import PUBLIC_URL
from tests.integration.twilio.helpers import count_messages, inbound_by_sid, webhook
from tests.support.agents import login, make_user, next_event, sse_events

SID = "SM1f0e2d3c4b5a69788796a5b4c3d2e1f0"


async def _nothing_stored(hub: Hub) -> None:
    assert await count_messages(hub, {"direction": "in"}) == 0
    assert await hub.db["raw_inbound"].count_documents({}) == 0


def _lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


async def _post_raw(http: aiohttp.ClientSession, base_url: str, body: bytes, signature: str | None,
                    headers: dict[str, str] | None = None) -> tuple[int, dict[str, object]]:
    sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    if signature is not None:
        sent["X-Twilio-Signature"] = signature
    async with http.post(f"{base_url}/webhooks/twilio", data=body, headers=sent) as r:
        return r.status, await r.json() if r.content_type == "application/json" else {}


async def test_missing_signature_is_refused_and_nothing_is_stored(hub: Hub, base_url: str,
                                                                  http: aiohttp.ClientSession) -> None:
    params = fixture("sms_inbound_persian_text.json")
    status, body = await _post_raw(http, base_url, urlencode(params).encode(), None)
    assert status == 403
    assert body["error"] == "the X-Twilio-Signature header is missing"
    await _nothing_stored(hub)


async def test_signature_made_with_another_auth_token_is_refused(hub: Hub, base_url: str,
                                                                 http: aiohttp.ClientSession) -> None:
    status, text = await webhook(http, base_url, fixture("sms_inbound_persian_text.json"), token="not-our-token")
    assert status == 403
    assert "does not match" in text
    await _nothing_stored(hub)


async def test_signed_body_with_a_parameter_added_is_refused(hub: Hub, base_url: str,
                                                            http: aiohttp.ClientSession) -> None:
    params = fixture("sms_inbound_persian_text.json")
    signature = sign(PUBLIC_URL + "/webhooks/twilio", params)
    tampered = {**params, "ProfileName": "Admin"}
    status, _ = await _post_raw(http, base_url, urlencode(tampered).encode(), signature)
    assert status == 403
    await _nothing_stored(hub)


async def test_signed_body_re_encoded_to_other_characters_is_refused(hub: Hub, base_url: str,
                                                                    http: aiohttp.ClientSession) -> None:
    params = {**fixture("sms_inbound_persian_text.json"), "Body": "Café crème"}
    signature = sign(PUBLIC_URL + "/webhooks/twilio", params)
    decomposed = {**params, "Body": unicodedata.normalize("NFD", params["Body"])}  # looks the same, is not
    status, _ = await _post_raw(http, base_url, urlencode(decomposed).encode(), signature)
    assert status == 403
    await _nothing_stored(hub)


async def test_the_same_values_percent_encoded_differently_are_accepted(hub: Hub, base_url: str,
                                                                        http: aiohttp.ClientSession) -> None:
    params = fixture("sms_inbound_persian_text.json")
    signature = sign(PUBLIC_URL + "/webhooks/twilio", params)
    # %20 instead of +, lower-case hex escapes: the same form to any decoder, and to the signature.
    body = "&".join(f"{quote(k, safe='')}={_lower_escapes(quote(v, safe=''))}" for k, v in params.items()).encode()
    status, _ = await _post_raw(http, base_url, body, signature)
    assert status == 200
    assert (await inbound_by_sid(hub, "sms", SID))["text"] == params["Body"]


async def test_request_signed_for_another_url_is_refused_even_with_matching_host_headers(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    params = fixture("sms_inbound_persian_text.json")
    for signed_for in ("http://attacker.test/webhooks/twilio", f"{base_url}/webhooks/twilio",
                       f"{PUBLIC_URL}/webhooks/twilio/status"):
        signature = sign(signed_for, params)
        status, _ = await _post_raw(http, base_url, urlencode(params).encode(), signature, headers={
            "Host": "attacker.test", "X-Forwarded-Host": "attacker.test", "X-Forwarded-Proto": "http"})
        assert status == 403, signed_for
    await _nothing_stored(hub)


@pytest.mark.parametrize(("missing", "error"), [("From", "the webhook has no From"),
                                                ("Body", "the webhook has no Body"),
                                                ("MessageSid", "the webhook has no MessageSid")])
async def test_signed_webhook_missing_a_required_field_gets_a_clear_400(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, missing: str, error: str
) -> None:
    params = fixture("sms_inbound_persian_text.json")
    del params[missing]
    status, text = await webhook(http, base_url, params)
    assert status == 400
    assert error in text
    await _nothing_stored(hub)


async def test_sender_that_is_not_a_phone_number_gets_a_clear_400(hub: Hub, base_url: str,
                                                                  http: aiohttp.ClientSession) -> None:
    status, text = await webhook(http, base_url, {**fixture("sms_inbound_persian_text.json"), "From": "Acme Ltd"})
    assert status == 400
    assert "From:" in text and "not a phone number" in text


async def test_body_over_the_text_limit_gets_413_and_smaller_messages_still_get_in(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    params = {**fixture("sms_inbound_persian_text.json"), "Body": "x" * (hub.settings.max_text_bytes + 1)}
    status, text = await webhook(http, base_url, params)
    assert status == 413
    assert "limit" in text
    assert await count_messages(hub, {"direction": "in"}) == 0
    assert (await webhook(http, base_url, fixture("sms_inbound_persian_text.json")))[0] == 200
    assert await count_messages(hub, {"direction": "in"}) == 1


async def test_request_larger_than_the_server_accepts_gets_413(hub: Hub, base_url: str,
                                                               http: aiohttp.ClientSession) -> None:
    params = {**fixture("sms_inbound_persian_text.json"), "Body": "x" * (2 * 1024 * 1024)}
    status, _ = await webhook(http, base_url, params)
    assert status == 413
    await _nothing_stored(hub)


@pytest.mark.parametrize("body", [b"Body=%E0%A4&From=%2B989121234567&MessageSid=SMx",
                                  b"Body=50%&From=%2B989121234567&MessageSid=SMx",
                                  b"Body=\xff\xfe&From=%2B989121234567&MessageSid=SMx",
                                  b"Body=hi&&From"])
async def test_broken_form_encoding_gets_a_clear_400(hub: Hub, base_url: str, http: aiohttp.ClientSession,
                                                     body: bytes) -> None:
    status, answer = await _post_raw(http, base_url, body, "c2lnbmF0dXJl")
    assert status == 400
    assert "form body" in str(answer["error"])
    await _nothing_stored(hub)


async def test_json_instead_of_a_form_gets_415(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{base_url}/webhooks/twilio", json={"Body": "hi"},
                         headers={"X-Twilio-Signature": "c2ln"}) as r:
        assert r.status == 415
        assert "application/x-www-form-urlencoded" in (await r.json())["error"]


async def test_emoji_rtl_zero_width_characters_are_stored_exactly_and_nul_is_stripped(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    params = fixture("sms_emoji_rtl_zero_width_and_nul.json")
    assert (await webhook(http, base_url, params))[0] == 200
    stored = await inbound_by_sid(hub, "sms", params["MessageSid"])
    assert stored["text"] == params["Body"].replace("\x00", "")
    assert "\u200d" in stored["text"] and "\u202e" in stored["text"] and "\x00" not in stored["text"]


async def test_replay_and_ten_concurrent_copies_make_one_message_and_one_live_update(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    await login(http, base_url, "agent@x.test")
    params = fixture("sms_inbound_persian_text.json")
    async with http.get(f"{base_url}/inbox/events") as stream_response:
        stream = sse_events(stream_response)
        await next_event(stream, "ready", {})
        answers = await asyncio.gather(*(webhook(http2, base_url, params) for _ in range(10)))
        assert [status for status, _ in answers] == [200] * 10
        assert (await webhook(http2, base_url, params))[0] == 200  # a replay after the fact
        later = {**params, "MessageSid": "SM" + "9" * 32, "SmsSid": "SM" + "9" * 32, "Body": "second message"}
        assert (await webhook(http2, base_url, later))[0] == 200
        inserts = 0
        async for event, data in stream:
            if event == "messages" and data["op"] == "insert" and data["direction"] == "in":
                if data["text"] == "second message":
                    break  # change streams keep commit order: every copy's event came before this one
                inserts += 1
    assert inserts == 1
    assert await count_messages(hub, {"channel": "sms", "external_id": SID}) == 1


async def test_location_message_is_kept_as_a_location(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    params = fixture("whatsapp_location.json")
    assert (await webhook(http, base_url, params))[0] == 200
    stored = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    location = stored["extras"]["location"]
    assert (location["latitude"], location["longitude"]) == (35.699739, 51.338097)
    assert location["label"] == "Azadi Tower"
    assert stored["text"] == "📍 Azadi Tower, Azadi Square, Tehran (35.699739, 51.338097)"


async def test_location_with_coordinates_out_of_range_gets_400(hub: Hub, base_url: str,
                                                               http: aiohttp.ClientSession) -> None:
    params = {**fixture("whatsapp_location.json"), "Latitude": "135.0"}
    status, text = await webhook(http, base_url, params)
    assert status == 400 and "out of range" in text


@pytest.mark.twilio_env(TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None)
async def test_without_credentials_the_webhooks_answer_404_with_what_to_set(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    for path in ("/webhooks/twilio", "/webhooks/twilio/status"):
        async with http.post(base_url + path, data={"Body": "hi"}) as r:
            assert r.status == 404
            assert "TWILIO_ACCOUNT_SID" in (await r.json())["error"]
    assert "sms" not in hub.channels and "whatsapp" not in hub.channels


@pytest.mark.twilio_env(TWILIO_ACCOUNT_SID=None, TWILIO_AUTH_TOKEN=None)
async def test_start_up_without_credentials_logs_one_line(twilio_env: None, caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    from channels.twilio.plugin import TwilioPlugin
    from channels.twilio.settings import TwilioSettings

    caplog.set_level(logging.INFO, logger="channels.twilio.plugin")
    assert await TwilioPlugin(TwilioSettings()).start(None) == {}  # type: ignore[arg-type]
    lines = [r.getMessage() for r in caplog.records if r.name == "channels.twilio.plugin"]
    assert len(lines) == 1 and "TWILIO_ACCOUNT_SID" in lines[0]
