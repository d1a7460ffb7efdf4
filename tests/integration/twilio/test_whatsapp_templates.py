"""Approved WhatsApp templates from Twilio's Content API: only approved ones, every page, kept for a
while, refreshed on request, and a clear answer when Twilio cannot be reached."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from channels.twilio.content import ContentTemplates, TemplatesUnavailable
from channels.twilio.settings import TwilioSettings
from hub.clock import utcnow
from hub.runtime import Hub
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FIXTURES, FakeTwilio, fixture
from tests.integration.twilio.helpers import count_messages, inbound_by_sid, webhook
from tests.support.agents import login, make_user

APPROVED = ["appointment_reminder", "follow_up_fa", "order_update", "reopen_conversation"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


CLOSED = f"http://127.0.0.1:{_closed_port()}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _settings(base: str) -> TwilioSettings:
    return TwilioSettings(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, content_api_base=base,
                          templates_cache_seconds=600)


@pytest.fixture
async def clock() -> Clock:
    return Clock()


@pytest.fixture
async def templates(fake_twilio: FakeTwilio, clock: Clock) -> AsyncIterator[ContentTemplates]:
    found = ContentTemplates(_settings(fake_twilio.base_url), page_size=2, clock=clock)
    yield found
    await found.close()


async def test_only_whatsapp_approved_templates_are_listed_from_every_page(
    templates: ContentTemplates, fake_twilio: FakeTwilio
) -> None:
    found = await templates.approved()
    assert [t.name for t in found] == APPROVED  # rejected, pending and never-submitted ones are left out
    assert len(fake_twilio.content_requests) == 4  # 7 templates, 2 a page
    assert fake_twilio.content_requests[-1]["PageToken"] == "PT3"  # the next page's URL was followed as given
    order = next(t for t in found if t.name == "order_update")
    assert order.as_dict() == {
        "sid": "HX" + "1" * 32, "name": "order_update", "language": "en",
        "body": "Hi {{1}}, your order {{2}} will arrive on {{3}}.",
        "variables": [{"key": "1", "sample": "Customer Name"}, {"key": "2", "sample": "12345"},
                      {"key": "3", "sample": "Tuesday"}]}
    by_name = {t.name: t for t in found}
    assert by_name["appointment_reminder"].body == "Hello {{1}}, see you at {{2}}. Still good?"  # quick-reply
    assert by_name["reopen_conversation"].body == (  # a card: its title, then its body
        "We are here to help\nReply to this message to continue our conversation.")
    assert by_name["follow_up_fa"].language == "fa"


async def test_the_list_is_kept_until_it_expires_and_refresh_asks_at_once(
    templates: ContentTemplates, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    await templates.approved()
    asked = len(fake_twilio.content_requests)
    fake_twilio.contents = fake_twilio.contents[:1]
    assert [t.name for t in await templates.approved()] == APPROVED
    assert len(fake_twilio.content_requests) == asked  # answered from memory

    assert [t.name for t in await templates.approved(refresh=True)] == ["order_update"]
    assert len(fake_twilio.content_requests) == asked + 1

    fake_twilio.contents = json.loads((FIXTURES / "api_content_and_approvals.json").read_text("utf-8"))["contents"]
    clock.now += 599
    assert [t.name for t in await templates.approved()] == ["order_update"]
    clock.now += 2
    assert [t.name for t in await templates.approved()] == APPROVED


async def test_an_unreachable_content_api_is_a_sentence_not_a_crash() -> None:
    found = ContentTemplates(_settings(CLOSED))
    with pytest.raises(TemplatesUnavailable, match=r"Could not reach Twilio's Content API .* try Refresh"):
        await found.approved()
    await found.close()


async def test_an_expired_list_is_served_while_twilio_fails_but_refresh_says_so(
    templates: ContentTemplates, fake_twilio: FakeTwilio, clock: Clock
) -> None:
    await templates.approved()
    fake_twilio.content_status = 503
    clock.now += 3600
    assert [t.name for t in await templates.approved()] == APPROVED
    with pytest.raises(TemplatesUnavailable, match="HTTP 503"):
        await templates.approved(refresh=True)


async def test_a_next_page_on_another_host_is_not_sent_the_credentials(fake_twilio: FakeTwilio) -> None:
    # The fake writes its next_page_url with 127.0.0.1; configured as "localhost", that is another host.
    found = ContentTemplates(_settings(fake_twilio.base_url.replace("127.0.0.1", "localhost")), page_size=2)
    assert [t.name for t in await found.approved()] == ["follow_up_fa", "order_update"]
    assert len(fake_twilio.content_requests) == 1
    await found.close()


async def test_wrong_credentials_say_which_settings_to_check(fake_twilio: FakeTwilio) -> None:
    found = ContentTemplates(TwilioSettings(account_sid=ACCOUNT_SID, auth_token="wrong",
                                            content_api_base=fake_twilio.base_url))
    with pytest.raises(TemplatesUnavailable, match=r"HTTP 401.*TWILIO_AUTH_TOKEN"):
        await found.approved()
    await found.close()


# --- through the hub --------------------------------------------------------------------------------

async def _agent(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> str:
    await make_user(hub.db, "agent@x.test")
    return await login(http, base_url, "agent@x.test")


async def test_the_route_lists_approved_templates_to_a_signed_in_agent_and_caches_them(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates") as r:
        assert r.status == 401
    assert fake_twilio.content_requests == []
    await _agent(hub, base_url, http)
    for _ in range(2):
        async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates") as r:
            assert r.status == 200
            listed = await r.json()
        assert [t["name"] for t in listed] == APPROVED
    assert len(fake_twilio.content_requests) == 1
    async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates?refresh=1") as r:
        assert r.status == 200
    assert len(fake_twilio.content_requests) == 2
    assert listed[1]["body"] == "سلام {{1}}، آیا هنوز به کمک نیاز دارید؟"


@pytest.mark.twilio_env(TWILIO_CONTENT_API_BASE=CLOSED)
async def test_the_route_answers_502_with_a_reason_when_twilio_is_unreachable(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await _agent(hub, base_url, http)
    async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates") as r:
        assert r.status == 502
        assert "Could not reach Twilio's Content API" in str((await r.json())["error"])


@pytest.mark.twilio_env(TWILIO_ACCOUNT_SID=None)
async def test_the_route_says_how_to_turn_twilio_on_when_it_is_off(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await _agent(hub, base_url, http)
    async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates") as r:
        assert r.status == 404
        assert "TWILIO_ACCOUNT_SID" in str((await r.json())["error"])


async def test_a_listed_template_sent_the_way_the_composer_posts_it_reaches_twilio_with_its_variables(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    csrf = await _agent(hub, base_url, http)
    params = fixture("whatsapp_inbound_with_profile_name.json")
    assert (await webhook(http, base_url, params))[0] == 200
    inbound = await inbound_by_sid(hub, "whatsapp", params["MessageSid"])
    await hub.db["conversations"].update_one(
        {"_id": inbound["conversation_id"]},
        {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(hours=30)}})
    async with http.get(f"{base_url}/api/v1/channels/whatsapp/templates") as r:
        order = next(t for t in await r.json() if t["name"] == "order_update")
    form = {"_csrf": csrf, "channel": "whatsapp", "content_sid": order["sid"],
            "content_variables": json.dumps({"1": "Mina", "2": "A-77", "3": "Friday"}),
            "text": "Hi Mina, your order A-77 will arrive on Friday."}
    async with http.post(f"{base_url}/api/v1/conversations/{inbound['conversation_id']}/reply", data=form,
                         headers={"Accept": "application/json"}) as r:
        assert r.status in (200, 201), await r.text()
    sent = (await fake_twilio.wait_for_requests(1))[0]
    assert sent.form["ContentSid"] == order["sid"]
    assert json.loads(sent.form["ContentVariables"]) == {"1": "Mina", "2": "A-77", "3": "Friday"}
    assert "Body" not in sent.form
    stored = await hub.db["messages"].find_one({"direction": "out"})
    assert stored is not None and stored["text"] == "Hi Mina, your order A-77 will arrive on Friday."
    assert await count_messages(hub, {"direction": "out"}) == 1
