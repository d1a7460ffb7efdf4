"""The admin pages for canned responses and custom contact fields show what the API holds, to the right people."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from tests.integration.admin.helpers import signed_in


async def test_canned_page_lists_responses_with_their_forms_and_escapes_what_people_wrote(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    lead = await signed_in(hub, http, base_url, "lena@x.test", role="lead")
    status, created = await lead.call("POST", "/api/v1/canned", {
        "shortcut": "/Refund", "title": "<b>استرداد</b>",
        "body": "سلام {{ contact.first_name }}، the refund is on its way."})
    assert status == 201, created
    status, html = await lead.page("/admin/canned")
    assert status == 200
    assert 'data-canned="refund"' in html and "<code>/refund</code>" in html
    assert "&lt;b&gt;استرداد&lt;/b&gt;" in html and "<b>استرداد</b>" not in html
    assert "سلام {{ contact.first_name }}، the refund is on its way." in html  # the template shown as written
    assert f'action="/api/v1/canned/{created["id"]}"' in html and 'data-method="PATCH"' in html
    assert f'data-admin-post="/api/v1/canned/{created["id"]}" data-method="DELETE"' in html
    assert 'id="new-canned"' in html and 'href="/admin/canned" aria-current="page"' in html
    assert 'href="/admin/custom-fields"' not in html  # leads do not define fields


async def test_custom_fields_page_lists_every_type_with_choices_and_a_remove_button(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    for definition in ({"key": "tier", "label": "سطح مشتری", "type": "choice", "choices": "gold, silver"},
                       {"key": "birthday", "label": "Birthday", "type": "date"},
                       {"key": "orders", "label": "Orders", "type": "number"}):
        status, answer = await admin.call("POST", "/api/v1/custom-fields", definition)
        assert status == 201, answer
    status, answer = await admin.call("POST", "/api/v1/custom-fields", {"key": "Bad Key", "label": "x", "type": "text"})
    assert status == 400 and "lower-case" in answer["error"]
    status, html = await admin.page("/admin/custom-fields")
    assert status == 200
    assert [key for key in ("birthday", "orders", "tier") if f'data-field="{key}"' in html] == ["birthday", "orders",
                                                                                                "tier"]
    assert 'data-field="Bad Key"' not in html
    assert '<span class="badge" dir="auto">gold</span>' in html and "سطح مشتری" in html
    assert 'data-admin-post="/api/v1/custom-fields/tier" data-method="DELETE"' in html
    for kind in ("text", "number", "date", "choice"):
        assert f'<option value="{kind}">' in html
    status, _ = await admin.call("DELETE", "/api/v1/custom-fields/tier")
    assert status == 200
    assert 'data-field="tier"' not in (await admin.page("/admin/custom-fields"))[1]


async def test_agents_are_refused_both_pages_and_leads_the_fields_page(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    agent = await signed_in(hub, http, base_url, "ana@x.test", role="agent")
    lead = await signed_in(hub, http2, base_url, "lena@x.test", role="lead")
    assert (await agent.page("/admin/canned"))[0] == 403
    assert (await agent.page("/admin/custom-fields"))[0] == 403
    assert (await lead.page("/admin/custom-fields"))[0] == 403
    assert (await lead.page("/admin/canned"))[0] == 200
    status, answer = await lead.call("POST", "/api/v1/custom-fields", {"key": "tier", "label": "Tier", "type": "text"})
    assert status == 403, answer


async def test_admin_pages_send_a_signed_out_visitor_to_the_login(hub: Hub, base_url: str) -> None:
    async with aiohttp.ClientSession() as anonymous:
        for path in ("/admin/canned", "/admin/custom-fields"):
            async with anonymous.get(f"{base_url}{path}", allow_redirects=False) as r:
                assert r.status == 302 and "/login" in r.headers["Location"], (path, r.status)
