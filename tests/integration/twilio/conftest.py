"""A hub with Twilio switched on against the loopback fake; the public URL differs from the loopback
address the tests actually hit, as it does behind a real proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.settings import Settings
from tests.conftest import make_settings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PUBLIC_URL = "http://hub.example.test"  # http: the login cookie must work over the loopback test server
SMS_FROM = "+14155550100"
WHATSAPP_FROM = "+14155550199"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "twilio_env(**values): TWILIO_* overrides for this test (None unsets)")
    config.addinivalue_line("markers", "hub_settings(**values): hub Settings overrides for this test")


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio().start()
    yield fake
    await fake.close()


@pytest.fixture
def twilio_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, fake_twilio: FakeTwilio) -> None:
    values: dict[str, str | None] = {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": SMS_FROM,
        "TWILIO_WHATSAPP_FROM": f"whatsapp:{WHATSAPP_FROM}", "TWILIO_API_BASE": fake_twilio.base_url,
        "TWILIO_CONTENT_API_BASE": fake_twilio.base_url,
        # The fake media host is on loopback; the safe defaults are tested with the marker below.
        "TWILIO_MEDIA_HOSTS": "127.0.0.1", "TWILIO_MEDIA_ALLOW_PRIVATE": "true",
        "TWILIO_SMS_PER_SECOND": "1000", "TWILIO_WHATSAPP_PER_SECOND": "1000",
    }
    marker = request.node.get_closest_marker("twilio_env")
    if marker is not None:
        values.update(marker.kwargs)
    for name, value in values.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


@pytest.fixture
def settings(request: pytest.FixtureRequest, mongo_url: str, tmp_path: Path, twilio_env: None) -> Settings:
    marker = request.node.get_closest_marker("hub_settings")
    return make_settings(mongo_url, tmp_path, public_url=PUBLIC_URL, **(marker.kwargs if marker else {}))
