"""An agent's email signature belongs to email: their SMS replies go out as typed, and refuse a CC."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.fakes.twilio import FakeTwilio, fixture
from tests.integration.twilio.helpers import inbound_by_sid, webhook
from tests.support.agents import login, make_user


async def test_an_sms_reply_never_carries_the_agents_signature(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, fake_twilio: FakeTwilio
) -> None:
    await make_user(hub.db, "sara@x.test", name="سارا احمدی")
    csrf = await login(http, base_url, "sara@x.test")
    headers = {"X-CSRF-Token": csrf}
    async with http.post(f"{base_url}/profile/signature", json={"signature": "سارا — پشتیبانی"},
                         headers={**headers, "Accept": "application/json"}) as r:
        assert r.status == 200, await r.text()
    params = fixture("sms_inbound_persian_text.json")
    assert (await webhook(http, base_url, params))[0] == 200
    inbound = await inbound_by_sid(hub, "sms", params["MessageSid"])
    url = f"{base_url}/api/v1/conversations/{inbound['conversation_id']}/reply"
    async with http.post(url, json={"text": "بسته امروز ارسال شد", "cc": "ali@example.test"}, headers=headers) as r:
        assert r.status == 400 and "email" in (await r.json())["error"]
    async with http.post(url, json={"text": "بسته امروز ارسال شد"}, headers=headers) as r:
        assert r.status == 201, await r.text()
    [sent] = await fake_twilio.wait_for_requests(1)
    assert sent.form["Body"] == "بسته امروز ارسال شد"
    stored = await hub.db["messages"].find_one({"direction": "out"})
    assert stored is not None and "signature" not in stored.get("extras", {})
