"""The media downloader's refusals, with the production defaults (no network is touched)."""

from __future__ import annotations

import pytest
from yarl import URL

from channels.twilio.media import MediaFetcher, MediaRefused, host_allowed, is_public
from channels.twilio.settings import DEFAULT_MEDIA_HOSTS, TwilioSettings


def _settings(**values: object) -> TwilioSettings:
    return TwilioSettings(_env_file=None, account_sid="AC1", auth_token="t", **values)  # type: ignore[arg-type]


def test_production_defaults_are_twilios_hosts_and_no_private_addresses() -> None:
    settings = _settings()
    assert settings.media_hosts == DEFAULT_MEDIA_HOSTS
    assert settings.media_allow_private is False


@pytest.mark.parametrize(("host", "allowed"), [
    ("api.twilio.com", True), ("API.Twilio.com.", True), ("mms.twiliocdn.com", True),
    ("twiliocdn.com", False), ("eviltwiliocdn.com", False), ("api.twilio.com.evil.test", False),
    ("127.0.0.1", False), ("169.254.169.254", False), ("localhost", False),
])
def test_only_twilios_media_hosts_are_allowed(host: str, allowed: bool) -> None:
    assert host_allowed(host, DEFAULT_MEDIA_HOSTS) is allowed


@pytest.mark.parametrize(("address", "public"), [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False), ("224.0.0.1", False),
    ("54.172.60.1", True), ("2600:1f18::1", True),
])
def test_loopback_private_link_local_and_mapped_addresses_are_not_public(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.mark.parametrize(("url", "reason"), [
    ("http://api.twilio.com/2010-04-01/Media/ME1", "is not an https URL"),
    ("https://127.0.0.1/media", "127.0.0.1 is not one of Twilio's media hosts"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is not one of Twilio's media hosts"),
    ("https://attacker.test/x.jpg", "attacker.test is not one of Twilio's media hosts"),
    ("file:///etc/passwd", "is not an https URL"),
])
async def test_fetcher_refuses_before_connecting(url: str, reason: str) -> None:
    fetcher = MediaFetcher(_settings(), 1000)
    try:
        with pytest.raises(MediaRefused) as refused:
            await fetcher.check_destination(URL(url))
        assert reason in refused.value.reason
    finally:
        await fetcher.close()


async def test_allowed_name_that_resolves_to_loopback_is_refused() -> None:
    fetcher = MediaFetcher(_settings(media_hosts="localhost"), 1000)
    try:
        with pytest.raises(MediaRefused, match="localhost points at the non-public address"):
            await fetcher.check_destination(URL("https://localhost/media/ME1"))
    finally:
        await fetcher.close()


async def test_guarded_resolver_refuses_private_answers_at_connect_time() -> None:
    from channels.twilio.media import GuardedResolver, PrivateAddress

    resolver = GuardedResolver()
    try:
        with pytest.raises(PrivateAddress):
            await resolver.resolve("localhost", 443)
    finally:
        await resolver.close()
