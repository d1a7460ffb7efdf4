"""What agents do to a conversation reads in the viewer's language on its timeline: status, snooze (its moment
as a <time> the page shows in the viewer's zone), priority; the English record
of such an event is not repeated behind "Why?". Over the hub's real server, through the API agents use."""

from __future__ import annotations

import re
from datetime import timedelta

import aiohttp

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.integration.inbox.helpers import arrive, department, place
from tests.integration.routing.support import api, token_for
from tests.support.agents import login, make_user


def _event_lines(html: str) -> list[str]:
    lines = re.findall(r'<span class="event-line">(.*?)</span>\s*<span class="event-sep"[^>]*>·</span>\s*<time',
                       html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<(?!time|/time)[^>]+>", "", line)).strip() for line in lines]


async def test_status_snooze_priority_and_reopening_read_in_persian_with_the_snooze_moment_as_a_time(
        hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    lead = await make_user(hub.db, "lena@x.test", role="lead", name="Lena")
    await users.set_language(hub.db, lead["_id"], "fa", utcnow())
    chat = await arrive(hub, "where is my parcel?", "v-fa", name="Mina")
    conversation_id = chat.conversation["_id"]
    await place(hub, conversation_id, department_id=await department(hub, "Support"), routed=True)
    headers = await token_for(hub, lead)
    url = f"{base_url}/api/v1/conversations/{conversation_id}"
    until = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    for path, body in (("/priority", {"priority": "urgent"}), ("/snooze", {"until": until.isoformat()}),
                       ("/status", {"status": "open"}), ("/status", {"status": "resolved"})):
        status, answer = await api(http, "POST", url + path, headers, json=body)
        assert status == 200, (path, answer)

    await login(http, base_url, "lena@x.test")
    async with http.get(f"{base_url}/inbox/c/{conversation_id}/pane") as r:
        assert r.status == 200
        html = await r.text()
    lines = _event_lines(html)
    assert "Lena اولویت را فوری گذاشت" in "".join(lines).replace("\u2068", "").replace("\u2069", "")
    snoozed = next(line for line in lines if "به تعویق انداخت" in line)
    assert re.search(r'<time data-absolute datetime="' + re.escape(until.isoformat()) + '">', snoozed), snoozed
    assert any("حل‌شده" in line for line in lines) and any("دوباره باز کرد" in line for line in lines)
    for english in ("marked this", "snoozed this until", "set the priority", "As recorded"):
        assert english not in html, english


async def test_a_channel_the_hub_has_not_connected_is_refused_in_the_agents_language(
        hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    lead = await make_user(hub.db, "lena@x.test", role="lead", name="Lena")
    await users.set_language(hub.db, lead["_id"], "fa", utcnow())
    sms = await arrive(hub, "سلام", "+989123456789", channel="sms", name="Mina")  # Twilio is off on this hub
    await login(http, base_url, "lena@x.test")
    async with http.get(f"{base_url}/inbox/c/{sms.conversation['_id']}/pane") as r:
        assert r.status == 200
        html = await r.text()
    refusal = re.search(r'<option value="sms"[^>]*data-refusal="([^"]*)"', html)
    assert refusal is not None, html
    assert "روی این هاب وصل نیست" in refusal.group(1)
    assert "is not connected" not in html
    # A routing line and its time are two things, not one sentence ("… yet now").
    assert re.search(r'</span>\s*<span class="event-sep" aria-hidden="true">·</span>\s*<time', html)
