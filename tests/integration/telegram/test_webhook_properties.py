"""Property tests of the Telegram webhook over the real server: any body, and every recorded update with
random parts replaced, gets an answer below 500 (a 400 with a reason, or a 200), and the webhook keeps
storing valid updates."""

from __future__ import annotations

import itertools
import json

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.runtime import Hub
from tests.integration.telegram.conftest import FIXTURES, SECRET, payload
from tests.support.hostile import FUZZ, bodies, dumps, mutated

# A signed (or secret-carrying) request is heard: 401, 403 or 404 would mean the webhook was off or the
# signature check broken, which the property must not take for an answer.
REFUSED_UNHEARD = (401, 403, 404)

UPDATES = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(FIXTURES.glob("*.json"))]
_update_ids = itertools.count(900_000_000)


async def _post(http: aiohttp.ClientSession, base_url: str, body: bytes) -> tuple[int, str]:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with http.post(f"{base_url}/webhooks/telegram", data=body, headers=headers) as r:
        return r.status, await r.text()


async def _still_storing(http: aiohttp.ClientSession, base_url: str) -> None:
    update = payload("text_in_persian_with_emoji_and_zero_width")
    update["update_id"] = next(_update_ids)
    update["message"]["message_id"] = update["update_id"]
    status, text = await _post(http, base_url, dumps(update))
    assert status == 200 and json.loads(text)["result"] == "stored", text


@FUZZ
@given(body=bodies(["update_id", "message", "edited_message", "callback_query", "my_chat_member"]))
async def test_any_body_with_the_right_secret_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, body: bytes
) -> None:
    status, text = await _post(http, base_url, body)
    assert status < 500 and status not in REFUSED_UNHEARD, (body[:200], text)


@settings(FUZZ, max_examples=150)
@given(update=st.sampled_from(UPDATES).flatmap(mutated))
async def test_a_recorded_update_with_random_parts_replaced_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, update: object
) -> None:
    status, text = await _post(http, base_url, dumps(update))
    assert status < 500 and status not in REFUSED_UNHEARD, (json.dumps(update, ensure_ascii=True)[:400], text)


async def test_after_hostile_updates_valid_ones_are_still_stored(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    for body in (b"[" * 100_000, b'{"update_id": 99999999999999999999999}', b'{"update_id": 1, "message": "\\ud800"}'):
        status, _ = await _post(http, base_url, body)
        assert status == 400
    await _still_storing(http, base_url)
