"""Property tests of the Twilio webhooks over the real server: any form fields, correctly signed, and
every recorded payload with fields replaced or added, get an answer below 500 (a 4xx with a reason, or
what Twilio expects), and the webhook keeps storing valid messages."""

from __future__ import annotations

import itertools
from pathlib import Path

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.runtime import Hub
from tests.fakes.twilio import fixture
from tests.integration.twilio.helpers import webhook
from tests.support.hostile import FUZZ, ODD_NUMBERS

# A signed (or secret-carrying) request is heard: 401, 403 or 404 would mean the webhook was off or the
# signature check broken, which the property must not take for an answer.
REFUSED_UNHEARD = (401, 403, 404)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "twilio"
INBOUND = [fixture(p.name) for p in sorted(FIXTURES.glob("*.json")) if not p.name.startswith(("status_", "api_"))]
STATUS = [fixture(p.name) for p in sorted(FIXTURES.glob("status_*.json"))]
FIELDS = sorted({name for payload in INBOUND + STATUS for name in payload})
# Form values travel percent-encoded UTF-8: any text without lone surrogates, and odd numbers.
VALUES = st.one_of(st.text(max_size=40), ODD_NUMBERS,
                   st.sampled_from(["whatsapp:", "whatsapp:+", "+", "+1" + "9" * 40, "http://127.0.0.1:1/x",
                                    "-1", "99999999999999999999999", "1e9", "NaN", "", " "]))
_sids = itertools.count()


@st.composite
def changed(draw: st.DrawFn, payloads: list[dict[str, str]]) -> dict[str, str]:
    form = dict(draw(st.sampled_from(payloads)))
    for name in draw(st.lists(st.sampled_from([*FIELDS, "MediaUrl0", "MediaContentType0", "MediaUrl5"]),
                              min_size=1, max_size=4)):
        if draw(st.integers(0, 4)) == 0:
            form.pop(name, None)
        else:
            form[name] = draw(VALUES)
    if "MessageSid" in form and draw(st.booleans()):
        form["MessageSid"] = f"SM{next(_sids):032x}"  # a fresh message, so it gets past dedupe
    return form


@settings(FUZZ, max_examples=100)
@given(form=changed(INBOUND))
async def test_a_signed_inbound_form_with_any_fields_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, form: dict[str, str]
) -> None:
    status, text = await webhook(http, base_url, form)
    assert status < 500 and status not in REFUSED_UNHEARD, (form, text)


@settings(FUZZ, max_examples=60)
@given(form=changed(STATUS))
async def test_a_signed_status_callback_with_any_fields_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, form: dict[str, str]
) -> None:
    status, text = await webhook(http, base_url, form, path="/webhooks/twilio/status")
    assert status < 500 and status not in REFUSED_UNHEARD, (form, text)


@FUZZ
@given(form=st.dictionaries(st.text(min_size=1, max_size=12), VALUES, max_size=6))
async def test_a_signed_form_of_random_fields_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, form: dict[str, str]
) -> None:
    for path in ("/webhooks/twilio", "/webhooks/twilio/status"):
        status, text = await webhook(http, base_url, form, path=path)
        assert status < 500 and status not in REFUSED_UNHEARD, (path, form, text)
