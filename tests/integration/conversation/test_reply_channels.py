"""The composer's channel picker: the channels a customer can be reached on, and what each refuses."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import aiohttp

from channels.base import PHONE, Identity, InboundMessage
from hub import names as model
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import users
from tests.integration.conversation.helpers import agent
from tests.integration.twilio.conftest import fake_twilio, settings, twilio_env  # noqa: F401 - Twilio switched on

TEMPLATE_SID = "HX" + "0123456789abcdef" * 2


async def test_whatsapp_outside_24_hours_is_refused_with_the_reason_and_a_template_goes_through(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    result = await ingest(hub, InboundMessage(channel="whatsapp", identity=Identity(PHONE, "+989121234567"),
                                              text="سلام", received_at=utcnow(), external_id="wa-1"))
    cid = result.conversation["_id"]
    await hub.db[model.CONVERSATIONS].update_one(
        {"_id": cid}, {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(hours=30)}})

    status, body = await ana.get(f"/api/v1/conversations/{cid}/channels")
    options = {o["channel"]: o for o in body["channels"]}
    assert list(options) == ["whatsapp", "sms"]  # the customer's last channel first
    assert options["whatsapp"]["default"] and options["whatsapp"]["templates"]
    assert "only within 24 hours" in options["whatsapp"]["refusal"]
    assert options["sms"]["refusal"] is None

    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply", {"text": "Hello", "channel": "whatsapp"})
    assert status == 409 and "approved template" in body["error"] and not body.get("held")
    status, body = await ana.post(f"/api/v1/conversations/{cid}/reply", {
        "channel": "whatsapp", "content_sid": TEMPLATE_SID, "content_variables": '{"1": "Reza"}'})
    assert status == 201 and body["message"]["channel"] == "whatsapp"
    page = await ana.page(f"/inbox/c/{cid}")
    assert 'data-templates="1"' in page and "only within 24 hours" in page


async def test_the_picker_takes_each_channels_reply_rules_from_its_plugin(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    result = await ingest(hub, InboundMessage(channel="sms", identity=Identity(PHONE, "+14155550101"),
                                              text="hi", received_at=utcnow(), external_id="sms-rules-1"))
    cid = result.conversation["_id"]

    status, body = await ana.get(f"/api/v1/conversations/{cid}/channels")
    assert status == 200
    options = {o["channel"]: o for o in body["channels"]}
    # Twilio's ChannelInfo: SMS is counted in segments, WhatsApp replies may need a template.
    assert options["sms"]["segments"] and not options["sms"]["templates"]
    assert options["whatsapp"]["templates"] and not options["whatsapp"]["segments"]
    page = await ana.page(f"/inbox/c/{cid}")
    page = page[page.index('id="composer"'):]  # the list pane beside it has channel options of its own (filters)
    sms_option = page[page.index('<option value="sms"'):].split(">", 1)[0]
    whatsapp_option = page[page.index('<option value="whatsapp"'):].split(">", 1)[0]
    assert 'data-segments="1"' in sms_option and 'data-segments=""' in whatsapp_option


async def test_why_whatsapp_refuses_a_free_reply_reads_in_the_agents_language_in_the_composer(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    await users.set_language(hub.db, ana.user["_id"], "fa", utcnow())
    result = await ingest(hub, InboundMessage(channel="whatsapp", identity=Identity(PHONE, "+989121234567"),
                                              text="سلام", received_at=utcnow(), external_id="wa-fa"))
    cid = result.conversation["_id"]
    await hub.db[model.CONVERSATIONS].update_one(
        {"_id": cid}, {"$set": {"last_inbound_at_by_channel.whatsapp": utcnow() - timedelta(hours=30)}})
    async with http.get(f"{base_url}/inbox/c/{cid}/pane") as r:
        assert r.status == 200
        html = unescape(await r.text())
    refusal = re.search(r'<option value="whatsapp"[^>]*data-refusal="([^"]*)"', html)
    assert refusal is not None
    said = refusal.group(1).replace("\u2068", "").replace("\u2069", "")  # the values' bidi isolates
    assert "آخرین پیام واتس‌اپ مشتری 30 ساعت پیش بود" in said and "24 ساعت" in said
    status, body = await ana.get(f"/api/v1/conversations/{cid}/channels")  # the API still says it in English
    assert status == 200
    assert "30 hours ago" in {o["channel"]: o for o in body["channels"]}["whatsapp"]["refusal"]
