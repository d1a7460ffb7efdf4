"""Search without $text: Persian, Arabic, Chinese and Vietnamese, however the customer typed it."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import login, make_user


async def _found(http: aiohttp.ClientSession, base_url: str, q: str) -> tuple[list[str], list[str]]:
    async with http.get(f"{base_url}/api/v1/search", params={"q": q}) as r:
        assert r.status == 200, await r.text()
        body = await r.json()
    return [c["id"] for c in body["conversations"]], [c.get("name") or "" for c in body["contacts"]]


async def test_search_finds_persian_arabic_chinese_and_vietnamese_across_keyboard_variants(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    persian = await arrive(hub, "سلام، کتاب من کی می‌رسد؟", "v-fa")
    arabic = await arrive(hub, "مَرْحَبًا، أريد استرجاع الفاتـــورة", "v-ar")
    chinese = await arrive(hub, "你好，我想退货，谢谢", "v-zh")
    vietnamese = await arrive(hub, "Xin chào, tôi muốn đổi hàng", "v-vi", name="Nguyễn Văn Đức")
    await login(http, base_url, "lead@x.test")

    # Arabic kaf and yeh typed on an Arabic keyboard find the Persian letters.
    assert (await _found(http, base_url, "كتاب"))[0] == [str(persian.conversation["_id"])]
    # Typed without the zero-width non-joiner of "می‌رسد", and with Arabic letters.
    assert (await _found(http, base_url, "كي ميرسد"))[0] == [str(persian.conversation["_id"])]
    # Harakat and tatweel in the message do not hide it; hamza forms of alef fold together.
    assert (await _found(http, base_url, "مرحبا"))[0] == [str(arabic.conversation["_id"])]
    assert (await _found(http, base_url, "اريد الفاتورة"))[0] == []  # words must be adjacent
    assert (await _found(http, base_url, "الفاتورة"))[0] == [str(arabic.conversation["_id"])]
    # Chinese has no spaces: a substring is a match.
    assert (await _found(http, base_url, "退货"))[0] == [str(chinese.conversation["_id"])]
    # Vietnamese with or without tone marks, in message text and in the contact's name.
    assert (await _found(http, base_url, "đổi hàng"))[0] == [str(vietnamese.conversation["_id"])]
    assert (await _found(http, base_url, "doi hang"))[0] == [str(vietnamese.conversation["_id"])]
    conversations, contacts = await _found(http, base_url, "nguyen van duc")
    assert conversations == [str(vietnamese.conversation["_id"])] and contacts == ["Nguyễn Văn Đức"]
    assert (await _found(http, base_url, "NGUYỄN"))[1] == ["Nguyễn Văn Đức"]


async def test_search_shows_only_what_the_agent_may_see_and_escapes_regex(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    sales = await department(hub, "Sales")
    await make_user(hub.db, "ana@x.test", departments=("Support",))
    support_case = await arrive(hub, "order 12.5 refund", "v-1")
    sales_case = await arrive(hub, "order 1235 refund", "v-2")
    await place(hub, support_case.conversation["_id"], department_id=await department(hub, "Support"))
    await place(hub, sales_case.conversation["_id"], department_id=sales)
    await login(http, base_url, "ana@x.test")
    assert (await _found(http, base_url, "refund"))[0] == [str(support_case.conversation["_id"])]
    assert (await _found(http, base_url, "12.5"))[0] == [str(support_case.conversation["_id"])]
    assert (await _found(http, base_url, ".*"))[0] == []
    async with http.get(f"{base_url}/api/v1/search", params={"q": "   "}) as r:
        assert r.status == 400
        assert "'q' is required" in (await r.json())["error"]
    async with http.get(f"{base_url}/inbox/search", params={"q": "refund"}) as r:
        page = await r.text()
    assert str(support_case.conversation["_id"]) in page and str(sales_case.conversation["_id"]) not in page
