"""Hostile input (deep nesting, lone surrogates, huge numbers, bytes that are no text) gets a clear 400,
or the text kept with U+FFFD, over the real server; never a 500, and the hub keeps serving."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import aiohttp
import pytest

from hub import names as model
from hub.runtime import Hub
from hub.store.documents import Conversation
from tests.integration.routing.support import token_for, writes
from tests.support.agents import make_user

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
JUST_TOO_DEEP = '{"text": ' + "[" * 40 + "]" * 40 + "}"


async def admin_headers(hub: Hub) -> dict[str, str]:
    user = await make_user(hub.db, "admin@x.test", role="admin")
    return await token_for(hub, user)


async def post_raw(http: aiohttp.ClientSession, url: str, body: str | bytes, headers: dict[str, str] | None = None,
                   content_type: str = "application/json") -> tuple[int, Any]:
    async with http.post(url, data=body, headers={"Content-Type": content_type, **(headers or {})},
                         allow_redirects=False) as r:
        text = await r.text()
        return r.status, (json.loads(text) if r.content_type == "application/json" else text)


async def a_conversation(hub: Hub) -> Conversation:
    result = await writes(hub, "hello", "visitor-1")
    return result.conversation


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, JUST_TOO_DEEP])
async def test_deeply_nested_json_to_login_and_the_api_is_a_400_saying_so(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, body: str
) -> None:
    headers = await admin_headers(hub)
    conversation = await a_conversation(hub)
    status, answer = await post_raw(http, f"{base_url}/login", body)
    assert status == 400
    assert "nested too deeply" in answer
    for path in (f"/api/v1/conversations/{conversation['_id']}/messages", "/api/v1/canned", "/api/v1/departments",
                 "/api/v1/admin/mailboxes"):
        status, answer = await post_raw(http, base_url + path, body, headers)
        assert status == 400, path
        assert answer["error"] == "the request body is nested too deeply (more than 32 levels)"
    async with http.get(f"{base_url}/api/v1/conversations", headers=headers) as r:
        assert r.status == 200


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"text": "\xff\xfe"}', "not valid UTF-8"),
    ('{"text": NaN}', "NaN"),
    ('{"text": "hi", "n": 99999999999999999999999}', "too large to store"),
    ('{"text": "hi", "n": ' + "9" * 5000 + "}", "too large to store"),
    ('{"text": ', "not valid JSON"),
])
async def test_json_the_database_could_not_hold_is_a_400_with_the_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, body: str | bytes, reason: str
) -> None:
    headers = await admin_headers(hub)
    conversation = await a_conversation(hub)
    status, answer = await post_raw(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/messages",
                                    body, headers)
    assert status == 400
    assert reason in answer["error"]


async def test_a_reply_with_lone_surrogates_is_stored_with_replacement_characters(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await admin_headers(hub)
    conversation = await a_conversation(hub)
    body = '{"text": "before \\ud800 middle \\udfff after \\ud83d\\ude00"}'
    status, answer = await post_raw(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/messages",
                                    body, headers)
    assert status == 201, answer
    stored = await hub.db[model.MESSAGES].find_one({"direction": "out"})
    assert stored is not None
    assert stored["text"] == "before \ufffd middle \ufffd after 😀"


async def test_surrogates_in_names_labels_and_fields_are_kept_as_replacement_characters(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await admin_headers(hub)
    conversation = await a_conversation(hub)
    status, answer = await post_raw(http, f"{base_url}/api/v1/conversations/{conversation['_id']}/labels",
                                    '{"labels": ["vip\\ud800"]}', headers)
    assert status == 200, answer
    updated = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation["_id"]})
    assert updated is not None and "vip\ufffd" in updated["labels"]
    status, answer = await post_raw(http, f"{base_url}/api/v1/departments", '{"name": "Sales \\udc00"}', headers)
    assert status == 201, answer
    assert await hub.db[model.DEPARTMENTS].find_one({"name": "Sales \ufffd"}) is not None


async def test_a_customer_message_with_lone_surrogates_is_stored_with_replacement_characters(hub: Hub) -> None:
    result = await writes(hub, "bad \ud800 text", "visitor-\udfff")
    stored = await hub.db[model.MESSAGES].find_one({"_id": result.message["_id"]})
    assert stored is not None
    assert stored["text"] == "bad \ufffd text"
    raw = await hub.db[model.RAW_INBOUND].find_one({})
    assert raw is not None and raw["payload"]["text"] == "bad \ufffd text"


@pytest.mark.parametrize(("query", "parameter"), [
    ("limit=99999999999999999999999", "'limit'"),
    ("limit=0", "'limit'"),
    ("limit=²", "'limit'"),
    ("limit=-5", "'limit'"),
    ("before=99999999999999999999999_000000000000000000000000", "'before'"),
])
async def test_huge_or_odd_numbers_in_list_queries_are_a_400_naming_the_parameter(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, query: str, parameter: str
) -> None:
    headers = await admin_headers(hub)
    async with http.get(f"{base_url}/api/v1/conversations?{query}", headers=headers) as r:
        assert r.status == 400
        assert parameter in (await r.json())["error"]
    async with http.get(f"{base_url}/api/v1/conversations?limit=5", headers=headers) as r:
        assert r.status == 200


@pytest.mark.parametrize("since", ["99999999999999999999999", "9" * 5000, "²", "-1", "1e9"])
async def test_a_huge_since_on_the_timeline_sync_is_a_400_naming_since(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, since: str
) -> None:
    headers = await admin_headers(hub)
    conversation = await a_conversation(hub)
    async with http.get(f"{base_url}/inbox/c/{conversation['_id']}/sync", params={"since": since},
                        headers=headers) as r:
        assert r.status == 400
        assert "'since'" in html.unescape(await r.text())


@pytest.mark.parametrize("last", ["99999999999999999999999", "²", "9" * 5000])
async def test_an_odd_resume_point_on_the_live_stream_starts_it_afresh(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, last: str
) -> None:
    headers = await admin_headers(hub)
    async with http.get(f"{base_url}/inbox/events", headers={**headers, "Last-Event-ID": last}) as r:
        assert r.status == 200
        line = await r.content.readline()
        while not line.startswith(b"data:"):
            line = await r.content.readline()
        assert json.loads(line[5:])["since"] is None


async def test_a_malformed_contacts_cursor_is_a_400_naming_before(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await admin_headers(hub)
    async with http.get(f"{base_url}/inbox/contacts?before=99999999999999999999999", headers=headers) as r:
        assert r.status == 400
        assert "'before'" in html.unescape(await r.text())


async def login_form_token(http: aiohttp.ClientSession, base_url: str) -> bytes:
    """The sign-in form's security token (its cookie stays in `http`), so a posted form reaches the sign-in."""
    async with http.get(f"{base_url}/login") as r:
        found = re.search(r'name="_csrf" value="([^"]+)"', await r.text())
    assert found is not None
    return found.group(1).encode()


@pytest.mark.parametrize(("body", "status", "says"), [
    (b"email=\xff\xfe&password=x", 400, "not valid text in its declared charset"),
    # Percent-encoded bytes that are no UTF-8 (a lone surrogate) read as U+FFFD: the sign-in runs.
    (b"email=%ED%A0%80&password=x", 401, "Wrong email or password."),
])
async def test_a_form_that_is_not_utf8_is_a_400_or_read_with_replacements_never_a_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, body: bytes, status: int, says: str
) -> None:
    token = await login_form_token(http, base_url)
    answer_status, answer = await post_raw(http, f"{base_url}/login", body + b"&_csrf=" + token,
                                           content_type="application/x-www-form-urlencoded")
    assert answer_status == status and says in html.unescape(answer), answer


async def test_a_form_in_an_unknown_charset_is_a_400(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    status, answer = await post_raw(http, f"{base_url}/login", b"email=a&password=b",
                                    content_type="application/x-www-form-urlencoded; charset=no-such-charset")
    assert status == 400
    assert "declared charset" in answer
