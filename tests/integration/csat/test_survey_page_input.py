"""The public survey page answers bad links and bad input with a page that says so, never a 500."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub.outbound import survey_links
from hub.runtime import Hub
from hub.store import csat
from tests.integration.inbox.helpers import arrive


async def test_forged_unknown_or_bad_survey_links_get_a_readable_answer(hub: Hub, base_url: str) -> None:
    secret = hub.settings.ensure_secret_key()
    no_conversation = survey_links.token(secret, ObjectId())
    chat = await arrive(hub, "thanks!", "v-survey")
    real = survey_links.token(secret, chat.conversation["_id"])
    async with aiohttp.ClientSession() as customer:
        for path, status in (("/csat/nonsense?score=5", 404), (f"/csat/{ObjectId()}.AAAA?score=5", 404),
                             (f"/csat/{no_conversation}?score=5", 404),
                             (f"/csat/{real}?score=nine&lang=fa", 400), (f"/csat/{real}?score=6", 400)):
            async with customer.get(base_url + path) as r:
                assert r.status == status, (path, await r.text())
                assert "text/html" in r.content_type
        async with customer.post(f"{base_url}/csat/nonsense", data={"score": "5"}) as r:
            assert r.status == 404
        async with customer.post(f"{base_url}/csat/{real}", data={"comment": "x" * 20000}) as r:
            assert r.status == 413
        for form in ({"comment": "fine"}, {"score": "0"}, {"score": "five"}):
            async with customer.post(f"{base_url}/csat/{real}", data=form) as r:
                assert r.status == 400 and "Choose a score" in await r.text(), form
        async with customer.get(f"{base_url}/csat/{real}?score=nine&lang=fa") as r:
            page = await r.text()
            assert 'dir="rtl"' in page and "امتیازی از ۱ تا ۵ انتخاب کنید" in page
    assert await csat.for_conversation(hub.db, chat.conversation["_id"]) is None  # nothing bad was recorded
