"""Inbound media: fetched from Twilio with the account's credentials, kept in GridFS, served to agents
safely; anything else is refused with a note the agent can see, and the message is never lost."""

from __future__ import annotations

import aiohttp
import pytest

from hub.runtime import Hub
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, fixture
from tests.integration.twilio.helpers import inbound_by_sid, webhook
from tests.support.agents import login, make_user
from tests.support.polling import poll_until

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(256)) * 40
SAFE_DEFAULTS = {"TWILIO_MEDIA_HOSTS": None, "TWILIO_MEDIA_ALLOW_PRIVATE": None}


async def _attachments(hub: Hub, sid: str) -> list[dict[str, object]]:
    async def settled() -> list[dict[str, object]] | None:
        message = await inbound_by_sid(hub, "whatsapp", sid)
        items: list[dict[str, object]] = [dict(a) for a in message["attachments"]]
        return items if all(a["file_id"] or a["refused_reason"] for a in items) else None

    return await poll_until(settled, f"every attachment of {sid} stored or refused")


async def test_image_is_downloaded_with_credentials_stored_and_served_to_agents_safely(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    await make_user(hub.db, "agent@x.test")
    params = fixture("whatsapp_image_with_caption.json",
                     media_url=fake_twilio.serve_media("ME1.jpg", JPEG, "image/jpeg"))
    assert (await webhook(http, base_url, params))[0] == 200
    [attachment] = await _attachments(hub, params["MessageSid"])
    assert attachment["refused_reason"] is None
    assert attachment["content_type"] == "image/jpeg" and attachment["size"] == len(JPEG)
    assert fake_twilio.media_requests[0].auth == (ACCOUNT_SID, AUTH_TOKEN)
    message = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    assert message["text"] == "the broken part"

    await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/inbox/files/{message['_id']}/0") as r:
        assert r.status == 200
        assert await r.read() == JPEG
        assert r.headers["Content-Type"] == "image/jpeg"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Disposition"].startswith("inline; filename*=UTF-8''MM3b2c")


@pytest.mark.hub_settings(max_attachment_bytes=50_000)
async def test_media_over_the_size_limit_keeps_the_message_with_a_visible_note(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    big = b"\x00" * (hub.settings.max_attachment_bytes + 1)
    params = fixture("whatsapp_image_with_caption.json",
                     media_url=fake_twilio.serve_media("big.jpg", big, "image/jpeg"))
    assert (await webhook(http, base_url, params))[0] == 200
    [attachment] = await _attachments(hub, params["MessageSid"])
    assert attachment["file_id"] is None
    assert attachment["refused_reason"] == (
        "it is over the 50.0 kB limit (50,001 bytes); it is still in the Twilio console")
    assert (await inbound_by_sid(hub, "whatsapp", params["MessageSid"]))["text"] == "the broken part"
    assert await hub.db["fs.files"].count_documents({}) == 0


async def test_replayed_media_message_is_downloaded_once(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    params = fixture("whatsapp_image_with_caption.json",
                     media_url=fake_twilio.serve_media("ME1.jpg", JPEG, "image/jpeg"))
    for _ in range(3):
        assert (await webhook(http, base_url, params))[0] == 200
    await _attachments(hub, params["MessageSid"])
    assert len(fake_twilio.media_requests) == 1
    assert await hub.db["fs.files"].count_documents({}) == 1


@pytest.mark.twilio_env(**SAFE_DEFAULTS)
@pytest.mark.parametrize("address", ["http://127.0.0.1:{port}/media/ME1.jpg",
                                     "https://127.0.0.1/media/ME1.jpg",
                                     "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                                     "https://169.254.169.254/latest/meta-data/"])
async def test_media_url_pointing_at_loopback_or_link_local_is_refused_and_the_message_kept(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio, address: str
) -> None:
    fake_twilio.serve_media("ME1.jpg", JPEG, "image/jpeg")
    port = fake_twilio.base_url.rsplit(":", 1)[1]
    params = fixture("whatsapp_image_with_caption.json", media_url=address.format(port=port))
    assert (await webhook(http, base_url, params))[0] == 200
    [attachment] = await _attachments(hub, params["MessageSid"])
    assert attachment["file_id"] is None and attachment["refused_reason"]
    assert fake_twilio.media_requests == []
    assert (await inbound_by_sid(hub, "whatsapp", params["MessageSid"]))["text"] == "the broken part"


async def test_redirect_from_a_media_host_to_any_other_host_is_not_followed(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    port = fake_twilio.base_url.rsplit(":", 1)[1]
    media_url = fake_twilio.redirect_media("ME1", f"http://localhost:{port}/media/ME1.jpg")
    fake_twilio.serve_media("ME1.jpg", JPEG, "image/jpeg")
    params = fixture("whatsapp_image_with_caption.json", media_url=media_url)
    assert (await webhook(http, base_url, params))[0] == 200
    [attachment] = await _attachments(hub, params["MessageSid"])
    assert attachment["refused_reason"] == "localhost is not one of Twilio's media hosts"
    assert [r.path for r in fake_twilio.media_requests] == ["/redirect/ME1"]


async def test_num_media_that_is_not_a_number_gets_400(hub: Hub, base_url: str, http: aiohttp.ClientSession
                                                       ) -> None:
    params = {**fixture("whatsapp_image_with_caption.json", media_url="x"), "NumMedia": "lots"}
    status, text = await webhook(http, base_url, params)
    assert status == 400 and "NumMedia must be a number" in text


@pytest.mark.twilio_env(TWILIO_MEDIA_HOSTS="localhost,127.0.0.1,169.254.169.254", TWILIO_MEDIA_ALLOW_PRIVATE=None)
@pytest.mark.parametrize(("address", "reason"), [
    ("https://localhost/media/ME1.jpg", "localhost points at the non-public address "),  # 127.0.0.1 or ::1
    ("https://127.0.0.1/media/ME1.jpg", "127.0.0.1 points at the non-public address 127.0.0.1"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 points at the non-public address 169.254.169.254"),
])
async def test_allowed_media_host_that_resolves_to_a_private_address_is_still_refused(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio, address: str, reason: str
) -> None:
    params = fixture("whatsapp_image_with_caption.json", media_url=address)
    assert (await webhook(http, base_url, params))[0] == 200
    [attachment] = await _attachments(hub, params["MessageSid"])
    assert str(attachment["refused_reason"]).startswith(reason)
