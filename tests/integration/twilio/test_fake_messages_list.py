"""The fake Twilio lists messages the way Twilio's REST API filters them, through the real client:
the outbox's lookups are only as good as this."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels.twilio.channel import make_client
from channels.twilio.settings import TwilioSettings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio


async def test_the_fake_filters_by_to_from_and_date_sent_newest_first(fake_twilio: FakeTwilio) -> None:
    settings = TwilioSettings(_env_file=None, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN,  # type: ignore[call-arg]
                              api_base=fake_twilio.base_url)
    client, http_client = make_client(settings)
    try:
        for to, from_, body in [("+15550001", "+15559000", "a"), ("+15550002", "+15559000", "b"),
                                ("+15550001", "+15559001", "c"), ("+15550001", "+15559000", "d")]:
            await client.messages.create_async(to=to, from_=from_, body=body)
        today = datetime.now(UTC)

        async def bodies(**filters: object) -> list[str]:
            return [m.body for m in await client.messages.list_async(**filters)]

        assert await bodies(to="+15550001", from_="+15559000") == ["d", "a"]
        assert await bodies(to="+15550001") == ["d", "c", "a"]
        assert await bodies(date_sent_after=today - timedelta(days=1)) == ["d", "c", "b", "a"]
        assert await bodies(date_sent_after=today + timedelta(days=1)) == []
        assert await bodies(date_sent_before=today - timedelta(days=1)) == []
        assert await bodies(to="+15550002", limit=1, page_size=1) == ["b"]
    finally:
        await http_client.close()
