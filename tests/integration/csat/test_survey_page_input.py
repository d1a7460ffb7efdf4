"""The public survey page answers bad links and bad input with a page that says so, never a 500."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub.outbound import survey_links
from hub.runtime import Hub


async def test_forged_unknown_or_bad_survey_links_get_a_readable_answer(hub: Hub, base_url: str) -> None:
    secret = hub.settings.ensure_secret_key()
    good_token_no_conversation = survey_links.token(secret, ObjectId())
    async with aiohttp.ClientSession() as customer:
        for path, status in (("/csat/nonsense?score=5", 404), (f"/csat/{ObjectId()}.AAAA?score=5", 404),
                             (f"/csat/{good_token_no_conversation}?score=5", 404),
                             (f"/csat/{good_token_no_conversation}?score=nine&lang=fa", 400),
                             (f"/csat/{good_token_no_conversation}?score=6", 400)):
            async with customer.get(base_url + path) as r:
                assert r.status == status, (path, await r.text())
                assert "text/html" in r.content_type
        async with customer.post(f"{base_url}/csat/nonsense", data={"comment": "x"}) as r:
            assert r.status == 404
        async with customer.post(f"{base_url}/csat/{good_token_no_conversation}", data={"comment": "x" * 20000}) as r:
            assert r.status == 413
        async with customer.post(f"{base_url}/csat/{good_token_no_conversation}", data={"comment": "fine"}) as r:
            assert r.status == 400 and "Choose a score" in await r.text()
        async with customer.get(f"{base_url}/csat/{good_token_no_conversation}?score=nine&lang=fa") as r:
            page = await r.text()
            assert 'dir="rtl"' in page and "امتیازی از ۱ تا ۵ انتخاب کنید" in page
