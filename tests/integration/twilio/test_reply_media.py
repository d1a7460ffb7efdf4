"""A WhatsApp reply with an image: Twilio gets a signed, expiring /media/ link (it fetches media by URL),
the link serves the stored bytes without a login, and a tampered or expired link is refused 403."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from bson import ObjectId

from hub.outbound import media_links as media
from hub.runtime import Hub
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.twilio.conftest import PUBLIC_URL
from tests.integration.twilio.helpers import inbound_by_sid, webhook
from tests.integration.twilio.test_outbound_and_status import _settled
from tests.support.agents import login, make_user

JPEG = b"\xff\xd8\xff\xe0" + "رسید".encode() + b"\x00" * 200


async def _reply_with_image(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> dict[str, Any]:
    await make_user(hub.db, "agent@x.test")
    csrf = await login(http, base_url, "agent@x.test")
    params = fixture("whatsapp_inbound_with_profile_name.json")
    assert (await webhook(http, base_url, params))[0] == 200
    inbound = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    data = aiohttp.FormData(quote_fields=False)
    data.add_field("text", "Your receipt")
    data.add_field("channel", "whatsapp")
    data.add_field("file", JPEG, filename="receipt.jpg", content_type="image/jpeg")
    async with http.post(f"{base_url}/api/v1/conversations/{inbound['conversation_id']}/messages", data=data,
                         headers={"X-CSRF-Token": csrf}) as r:
        body: dict[str, Any] = await r.json()
        assert r.status == 201, body
    message: dict[str, Any] = body["message"]
    return message


async def test_whatsapp_reply_with_an_image_sends_twilio_a_signed_media_url_that_serves_the_bytes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    reply = await _reply_with_image(hub, base_url, http)
    done = await _settled(hub, reply["id"])
    assert done["status"] == "sent", done
    [sent] = fake_twilio.requests
    assert sent.form["Body"] == "Your receipt"
    link = urlsplit(sent.form["MediaUrl"])
    assert f"{link.scheme}://{link.netloc}" == PUBLIC_URL
    assert link.path == f"/media/{reply['attachments'][0]['file_id']}"
    # Twilio has no login: fetched with a fresh session, no cookie.
    async with http2.get(f"{base_url}{link.path}?{link.query}") as r:
        assert r.status == 200
        assert await r.read() == JPEG
        assert r.headers["Content-Type"] == "image/jpeg"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Disposition"] == "attachment; filename*=UTF-8''receipt.jpg"


async def test_a_tampered_or_expired_media_link_is_refused_403_with_the_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    reply = await _reply_with_image(hub, base_url, http)
    file_id = reply["attachments"][0]["file_id"]
    good = media.signed_path(hub.settings.ensure_secret_key(), file_id)
    query = parse_qs(urlsplit(good).query)
    exp, sig = query["exp"][0], query["sig"][0]
    other_file = str(ObjectId())
    bad_sig = sig[:-1] + ("0" if sig[-1] != "0" else "1")
    cases = {
        f"/media/{file_id}?exp={exp}&sig={bad_sig}": "signature",
        f"/media/{file_id}?exp={int(exp) + 3600}&sig={sig}": "signature",
        f"/media/{other_file}?exp={exp}&sig={sig}": "signature",
        f"/media/{file_id}?exp=soon&sig={sig}": "expiry",
        f"/media/{file_id}": "expiry",
        media.signed_path(hub.settings.ensure_secret_key(), file_id, valid_seconds=-60): "expired",
    }
    for path, reason in cases.items():
        async with http2.get(base_url + path, headers={"Accept": "application/json"}) as r:
            assert r.status == 403, path
            assert reason in (await r.json())["error"], path
    async with http2.get(base_url + good) as r:
        assert r.status == 200 and await r.read() == JPEG
