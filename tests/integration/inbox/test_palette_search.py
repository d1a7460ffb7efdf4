"""The command palette's search (GET /api/v1/palette): what the agent typed finds conversations they may see,
contacts and their department views; bad input is a 400 a person can read, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_from_bytes

import aiohttp
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import users
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import login, make_user
from tests.support.hostile import FUZZ


async def _palette(http: aiohttp.ClientSession, base_url: str, q: str) -> dict[str, Any]:
    async with http.get(f"{base_url}/api/v1/palette", params={"q": q}) as r:
        assert r.status == 200, await r.text()
        body: dict[str, Any] = await r.json()
    return body


async def test_an_agent_never_finds_a_conversation_of_a_department_they_are_not_in(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "sales@x.test", departments=("Sales",))
    sales, support = await department(hub, "Sales"), await department(hub, "Support")
    theirs = await arrive(hub, "invoice question", "+989123456789", channel="sms", name="Parisa Ahmadi")
    ours = await arrive(hub, "invoice for my order", "+14155550100", channel="sms", name="Parisa Brown")
    await place(hub, theirs.conversation["_id"], department_id=support, assignee_id=None)
    await place(hub, ours.conversation["_id"], department_id=sales, assignee_id=None)
    await login(http, base_url, "sales@x.test")

    for q in ("Parisa", "invoice", "0912 345 6789", "+98 912 345 6789"):
        found = {c["id"] for c in (await _palette(http, base_url, q))["conversations"]}
        assert str(theirs.conversation["_id"]) not in found, q
    body = await _palette(http, base_url, "Parisa")
    assert [c["id"] for c in body["conversations"]] == [str(ours.conversation["_id"])]
    assert body["conversations"][0]["url"] == f"/inbox/c/{ours.conversation['_id']}"
    assert body["conversations"][0]["department"] == "Sales"
    # Contacts are everyone's (as on the contacts page): both people named Parisa.
    assert {c["name"] for c in body["contacts"]} == {"Parisa Ahmadi", "Parisa Brown"}
    # The agent's own department view is offered; another department's never is.
    assert [v["label"] for v in (await _palette(http, base_url, ""))["views"]] == ["Sales"]
    assert (await _palette(http, base_url, "supp"))["views"] == []


async def test_a_phone_number_typed_in_persian_digits_finds_the_contact_and_their_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    iran = await arrive(hub, "سلام، سفارش من کجاست؟", "+989123456789", channel="whatsapp", name="مریم")
    await arrive(hub, "another customer", "+989123456780", channel="sms")
    await login(http, base_url, "lead@x.test")

    for typed in ("۰۹۱۲ ۳۴۵ ۶۷۸۹", "٠٩١٢٣٤٥٦٧٨٩", "0912 345 6789", "+98 912 345 6789"):
        body = await _palette(http, base_url, typed)
        assert [c["id"] for c in body["contacts"]] == [str(iran.contact["_id"])], typed
        assert [c["id"] for c in body["conversations"]] == [str(iran.conversation["_id"])], typed
    contact = (await _palette(http, base_url, "۰۹۱۲ ۳۴۵ ۶۷۸۹"))["contacts"][0]
    assert contact == {"id": str(iran.contact["_id"]), "url": f"/inbox/contacts/{iran.contact['_id']}",
                       "name": "مریم", "identities": ["+989123456789"]}


async def test_a_web_chat_visitor_id_is_never_shown_and_results_are_capped(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    for n in range(11):
        await arrive(hub, f"refund please {n}", f"visitor-{n:02d}", name=f"Refund Seeker {n}")
    await login(http, base_url, "lead@x.test")
    body = await _palette(http, base_url, "refund")
    assert len(body["conversations"]) == 8
    assert len(body["contacts"]) == 5
    assert all(c["identities"] == [] for c in body["contacts"])


async def test_an_empty_query_answers_with_a_hint_and_a_long_one_with_a_400_that_says_why(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "agent@x.test")
    await arrive(hub, "hello", "v-1")
    await login(http, base_url, "agent@x.test")
    for q in ("", "   ", "\u0640"):  # a lone tatweel normalises to nothing
        body = await _palette(http, base_url, q)
        assert body["conversations"] == [] and body["contacts"] == []
        assert "Type a name, phone number, email or @username" in body["hint"]
    async with http.get(f"{base_url}/api/v1/palette", params={"q": "x" * 600}) as r:
        assert r.status == 400
        error = await r.json()
    assert error["field"] == "q"
    assert error["error"] == "'q' may have at most 200 characters: type less of the name or number"


async def test_the_palette_needs_a_signed_in_user(base_url: str, http: aiohttp.ClientSession) -> None:
    async with http.get(f"{base_url}/api/v1/palette", params={"q": "a"},
                        headers={"Accept": "application/json"}) as r:
        assert r.status == 401


QUERIES = st.one_of(st.text(max_size=260), st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣+-() @.", max_size=30),
                    st.sampled_from(["\u202e", "\x00", "*", "(", "\\", "$where", "[", "?", "@", "+", "00"]))


@FUZZ
@given(q=QUERIES, raw=st.binary(max_size=12))
async def test_any_query_answers_200_or_400_and_never_500(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, q: str, raw: bytes
) -> None:
    if await hub.db["users"].count_documents({"email": "agent@x.test"}) == 0:
        await make_user(hub.db, "agent@x.test")
        await arrive(hub, "order 45217 is late", "+989123456789", channel="sms", name="Reza")
        await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/api/v1/palette", params={"q": q}) as r:
        assert r.status in (200, 400), (q, r.status, await r.text())
        body = await r.json()
    if r.status == 400:
        assert body["error"] and body["field"] == "q"
    else:
        assert len(body["conversations"]) <= 8 and len(body["contacts"]) <= 5
    # Bytes that are no UTF-8 at all, percent-encoded as a hostile client may send them.
    url = URL(f"{base_url}/api/v1/palette?q=" + quote_from_bytes(raw, safe=""), encoded=True)
    async with http.get(url) as r:
        assert r.status in (200, 400), (raw, r.status, await r.text())


async def test_the_keyboard_help_for_pages_without_it_is_for_signed_in_users_in_their_language(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{base_url}/inbox/shortcuts", allow_redirects=False) as r:
        assert r.status in (302, 303, 401)
    user = await make_user(hub.db, "agent@x.test")
    await users.set_language(hub.db, user["_id"], "fa", utcnow())
    await login(http, base_url, "agent@x.test")
    async with http.get(f"{base_url}/inbox/shortcuts") as r:
        assert r.status == 200
        page = await r.text()
    assert 'id="shortcuts-help"' in page and 'id="palette-template"' in page
    assert "میان‌برهای صفحه‌کلید" in page  # "Keyboard shortcuts"
    assert 'data-href="/inbox/team"' not in page  # an agent is offered no lead's pages
