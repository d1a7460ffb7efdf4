"""A department's satisfaction survey is off until an admin turns it on, with a delay, over the real server."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from hub.store import users
from tests.integration.admin.helpers import signed_in


async def test_admin_turns_on_the_survey_with_a_delay_and_the_page_shows_it(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    status, shown = await admin.call("GET", f"/api/v1/departments/{support['_id']}")
    assert status == 200 and shown["csat"] == {"enabled": False, "delay_seconds": 300}
    status, saved = await admin.call("PUT", f"/api/v1/departments/{support['_id']}",
                                     {"csat": {"enabled": True, "delay_seconds": 60}})
    assert status == 200, saved
    assert saved["csat"] == {"enabled": True, "delay_seconds": 60}
    status, saved = await admin.call("PUT", f"/api/v1/departments/{support['_id']}", {"strategy": "round_robin"})
    assert status == 200 and saved["csat"] == {"enabled": True, "delay_seconds": 60}
    status, page = await admin.page(f"/admin/departments/{support['_id']}")
    assert status == 200 and 'name="csat.delay_seconds"' in page and 'value="60"' in page
    assert '<option value="true" selected>' in page


async def test_bad_survey_settings_are_refused_with_a_sentence_and_nothing_changes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    admin = await signed_in(hub, http, base_url, "root@x.test")
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    for body, words in (({"csat": {"enabled": "maybe"}}, "csat.enabled must be true or false"),
                        ({"csat": {"delay_seconds": -5}}, "csat.delay_seconds must be a whole number"),
                        ({"csat": {"stars": 5}}, "csat has no setting 'stars'"),
                        ({"csat": "on"}, "csat must be an object")):
        status, answer = await admin.call("PUT", f"/api/v1/departments/{support['_id']}", body)
        assert status == 400 and words in answer["error"], answer
    assert (await users.department_by_name(hub.db, "Support") or {}).get("csat") is None
