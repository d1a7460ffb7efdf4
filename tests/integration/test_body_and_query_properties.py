"""Property tests over the real server: whatever JSON body, form or query string a stranger sends to the
sign-in page, the JSON API or the inbox pages, the answer is below 500 and the hub keeps serving."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import canned, contact_merges, custom_fields
from hub.store.db import Doc
from tests.integration.routing.support import token_for, writes
from tests.support.agents import make_user
from tests.support.hostile import FUZZ, QUERY_VALUES, bodies

# (method, path, the fields the handler reads); {c} is a real conversation, {m} a real message, {k} a
# contact, {n} a canned response, {g} a contact merge: each id reaches the handler's body parsing.
JSON_ENDPOINTS: list[tuple[str, str, list[str]]] = [
    ("POST", "/login", ["email", "password", "_csrf", "next"]),
    ("POST", "/api/v1/conversations/{c}/messages", ["text", "note", "channel", "client_id"]),
    ("POST", "/api/v1/conversations/{c}/reply", ["text", "note", "channel", "canned_id", "content_sid",
                                                  "content_variables"]),
    ("POST", "/api/v1/conversations/{c}/labels", ["labels"]),
    ("POST", "/api/v1/conversations/{c}/priority", ["priority"]),
    ("POST", "/api/v1/conversations/{c}/snooze", ["until"]),
    ("POST", "/api/v1/conversations/{c}/status", ["status"]),
    ("POST", "/api/v1/conversations/{c}/assign", ["user_id", "department_id"]),
    ("POST", "/api/v1/conversations/bulk", ["ids", "action", "label", "user_id", "status"]),
    ("POST", "/api/v1/contacts/{k}/attributes", ["plan", "seats", "renewal", "tier"]),
    ("POST", "/api/v1/contacts/{k}/tags", ["tags", "add", "remove"]),
    ("POST", "/api/v1/contacts/merge", ["source_id", "target_id"]),
    ("POST", "/api/v1/custom-fields", ["key", "label", "kind", "options"]),
    ("POST", "/api/v1/canned", ["shortcut", "title", "text", "department_id"]),
    ("POST", "/api/v1/departments", ["name"]),
    ("POST", "/api/v1/admin/users", ["email", "name", "role", "password", "departments"]),
    ("POST", "/api/v1/admin/mailboxes", ["address", "name", "smtp", "imap", "department_id"]),
    ("POST", "/api/v1/routing/explain", ["channel", "text", "contact_id", "language"]),
    ("POST", "/api/v1/sms/segments", ["text"]),
    ("POST", "/api/v1/me/status", ["status"]),
    ("POST", "/api/v1/conversations/{c}/transfer", ["department_id", "user_id", "note"]),
    ("POST", "/api/v1/conversations/{c}/canned/{n}", ["variables"]),
    ("POST", "/api/v1/conversations/{c}/presence", ["typing", "composing"]),
    ("POST", "/api/v1/contact-merges/{g}/undo", []),
    ("POST", "/api/v1/notifications/read-all", ["up_to"]),
    ("PUT", "/api/v1/notifications/preferences", ["browser", "sound"]),
]

QUERY_ENDPOINTS: list[tuple[str, list[str]]] = [
    ("/api/v1/conversations", ["limit", "before", "status", "channel", "label", "priority", "sort", "assignee",
                               "department", "view", "counts"]),
    ("/api/v1/search", ["q"]),
    ("/api/v1/canned", ["q"]),
    ("/api/v1/notifications", ["before", "limit", "unread"]),
    ("/inbox", ["limit", "before", "status", "view", "sort", "label"]),
    ("/inbox/list", ["limit", "before", "status", "view"]),
    ("/inbox/search", ["q"]),
    ("/inbox/contacts", ["q", "before"]),
    ("/inbox/c/{c}/sync", ["since"]),
    ("/inbox/c/{c}/earlier", ["before"]),
    ("/inbox/mail/{m}", ["remote"]),
    ("/media/{m}", ["exp", "sig"]),
]


@pytest.fixture
async def world(hub: Hub) -> dict[str, Any]:
    admin = await make_user(hub.db, "admin@x.test", role="admin")
    result = await writes(hub, "hello", "visitor-1")
    ids: dict[str, Any] = {"c": result.conversation["_id"], "m": result.message["_id"], "k": result.contact["_id"]}
    ids["n"] = (await canned.create(hub.db, "hi", "Hello", "Hello {{ contact.first_name }}", admin["_id"],
                                    utcnow()))["_id"]
    other = await writes(hub, "hello again", "visitor-2")
    merge = await contact_merges.move_into(hub.db, other.contact["_id"], result.contact["_id"], utcnow())
    assert merge is not None
    ids["g"] = merge["_id"]
    for definition in ({"key": "plan", "label": "Plan", "type": "text"},
                       {"key": "seats", "label": "Seats", "type": "number"},
                       {"key": "renewal", "label": "Renewal", "type": "date"},
                       {"key": "tier", "label": "Tier", "type": "choice", "choices": ["gold", "silver"]}):
        await custom_fields.define(hub.db, custom_fields.check_definition(definition), utcnow())
    return {"headers": await token_for(hub, admin), "ids": ids}


def _path(template: str, ids: dict[str, Any]) -> str:
    return template.format(**{k: str(v) for k, v in ids.items()})


async def _still_serving(http: aiohttp.ClientSession, base_url: str, headers: dict[str, str]) -> None:
    async with http.get(f"{base_url}/api/v1/conversations?limit=1", headers=headers) as r:
        assert r.status == 200


@pytest.mark.parametrize("endpoint", JSON_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in JSON_ENDPOINTS])
@settings(FUZZ, max_examples=30)
@given(data=st.data())
async def test_any_json_body_to_any_json_endpoint_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, world: Doc, endpoint: tuple[str, str, list[str]],
    data: st.DataObject
) -> None:
    method, template, fields = endpoint
    body = data.draw(bodies(fields), label="body")
    url = base_url + _path(template, world["ids"])
    headers = {**world["headers"], "Content-Type": "application/json"}
    async with http.request(method, url, data=body, headers=headers, allow_redirects=False) as r:
        assert r.status < 500, (url, body[:200], await r.text())
        if "{n}" in template or "{g}" in template:  # ids of things the handler looks up before the body
            assert r.status != 404, (url, "the ids must reach the handler's body parsing", await r.text())
    await _still_serving(http, base_url, world["headers"])


@FUZZ
@given(form=st.lists(st.tuples(st.sampled_from(["email", "password", "_csrf", "next", "text", "ids"]),
                               st.binary(max_size=24)), max_size=5),
       content_type=st.sampled_from(["application/x-www-form-urlencoded",
                                     "application/x-www-form-urlencoded; charset=latin-1",
                                     "application/x-www-form-urlencoded; charset=bogus"]))
async def test_any_form_bytes_to_sign_in_and_bulk_actions_get_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, world: Doc, form: list[tuple[str, bytes]],
    content_type: str
) -> None:
    body = b"&".join(name.encode() + b"=" + value for name, value in form)
    for path in ("/login", "/api/v1/conversations/bulk"):
        headers = {**world["headers"], "Content-Type": content_type} if path.startswith("/api/") else {
            "Content-Type": content_type}
        async with http.post(base_url + path, data=body, headers=headers, allow_redirects=False) as r:
            assert r.status < 500, (path, body, await r.text())
    await _still_serving(http, base_url, world["headers"])


QUERY_NAMES = sorted({name for _, names in QUERY_ENDPOINTS for name in names})


@FUZZ
@given(query=st.dictionaries(st.sampled_from(QUERY_NAMES), QUERY_VALUES, min_size=1, max_size=4))
async def test_any_query_string_to_lists_search_and_timeline_gets_an_answer_below_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, world: Doc, query: dict[str, str]
) -> None:
    for template, names in QUERY_ENDPOINTS:
        url = base_url + _path(template, world["ids"])
        params = {name: value for name, value in query.items() if name in names}
        async with http.get(url, params=params, headers=world["headers"], allow_redirects=False) as r:
            assert r.status < 500, (url, params, await r.text())
    await _still_serving(http, base_url, world["headers"])
