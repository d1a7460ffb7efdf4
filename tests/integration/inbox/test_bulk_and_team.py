"""Team leads: bulk actions checked per conversation, and every agent's load and presence."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub.runtime import Hub
from hub.store import conversations
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import login, make_user


async def _three(hub: Hub) -> list[str]:
    support, sales = await department(hub, "Support"), await department(hub, "Sales")
    ids = []
    for n, dept in enumerate((support, support, sales)):
        result = await arrive(hub, f"case {n}", f"v-bulk-{n}")
        await place(hub, result.conversation["_id"], department_id=dept, assignee_id=None)
        ids.append(str(result.conversation["_id"]))
    return ids


async def test_lead_bulk_assigns_and_resolves_with_a_result_per_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ids = await _three(hub)
    ana = await make_user(hub.db, "ana@x.test", name="Ana")
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    csrf = await login(http, base_url, "lead@x.test")
    url = f"{base_url}/api/v1/conversations/bulk"
    body = {"ids": [*ids[:2], "0" * 24], "action": "assign", "assignee_id": str(ana["_id"]), "note": "yours"}
    async with http.post(url, json=body, headers={"X-CSRF-Token": csrf}) as r:
        result = await r.json()
    assert (result["done"], result["failed"]) == (2, 1)
    assert [r["ok"] for r in result["results"]] == [True, True, False]
    assert result["results"][2] == {"id": "0" * 24, "ok": False, "status": 404, "error": "conversation not found"}
    for cid in ids[:2]:
        doc = await conversations.get(hub.db, ObjectId(cid))
        assert doc is not None and doc["assignee_id"] == ana["_id"]
    async with http.post(url, data=[("ids", ids[0]), ("ids", ids[2]), ("action", "resolve")],
                         headers={"X-CSRF-Token": csrf}) as r:
        result = await r.json()
    assert result["done"] == 2
    assert {r["conversation"]["status"] for r in result["results"]} == {"resolved"}


async def test_agent_bulk_actions_obey_the_same_rules_as_single_ones(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ids = await _three(hub)
    bo = await make_user(hub.db, "bo@x.test", name="Bo")
    await make_user(hub.db, "ana@x.test", name="Ana")
    csrf = await login(http, base_url, "ana@x.test")
    url = f"{base_url}/api/v1/conversations/bulk"
    async with http.post(url, json={"ids": ids, "action": "assign", "assignee_id": "me"},
                         headers={"X-CSRF-Token": csrf}) as r:
        result = await r.json()
    # The Sales conversation is invisible to a Support agent: the same 404 as opening it.
    assert [(r["ok"], r["status"]) for r in result["results"]] == [(True, 200), (True, 200), (False, 404)]
    async with http.post(url, json={"ids": ids[:1], "action": "assign", "assignee_id": str(bo["_id"])},
                         headers={"X-CSRF-Token": csrf}) as r:
        result = await r.json()
    assert result["results"][0]["status"] == 403
    assert "themselves only" in result["results"][0]["error"]
    for bad, status, reason in (({"ids": [], "action": "resolve"}, 400, "'ids' must be"),
                                ({"ids": ids, "action": "explode"}, 400, "'action' must be"),
                                ({"ids": ["x"] * 201, "action": "resolve"}, 400, "at most 200"),
                                ({"ids": ids, "action": "transfer", "department_id": "Sales"}, 403, "lead")):
        async with http.post(url, json=bad, headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == status
            assert reason in (await r.json())["error"]


async def test_lead_transfers_a_selection_and_sees_every_agents_load(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ids = await _three(hub)
    await make_user(hub.db, "ana@x.test", name="Ana")
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    csrf = await login(http, base_url, "lead@x.test")
    async with http.post(f"{base_url}/api/v1/conversations/bulk", headers={"X-CSRF-Token": csrf},
                         json={"ids": ids[:2], "action": "transfer", "department_id": "Sales", "note": "billing"}) as r:
        result = await r.json()
    assert result["done"] == 2, result
    sales = await department(hub, "Sales")
    assert all(r["conversation"]["department_id"] == str(sales) for r in result["results"])
    await http.post(f"{base_url}/api/v1/conversations/bulk", headers={"X-CSRF-Token": csrf},
                    json={"ids": ids[:1], "action": "assign", "assignee_id": "me"})
    async with http.get(f"{base_url}/api/v1/team") as r:
        team = {a["name"]: a for a in (await r.json())["agents"]}
    assert team["Ana"]["open_count"] == 0 and team["Ana"]["capacity"] == 5 and team["Ana"]["connected"] is False
    await login(http2, base_url, "ana@x.test")
    async with http2.get(f"{base_url}/inbox/events") as live:  # Ana opens her inbox: she is present
        await live.content.readline()
        async with http.get(f"{base_url}/inbox/team") as r:
            page = await r.text()
    assert 'data-connected="yes"' in page and "0/5" in page
    async with http2.get(f"{base_url}/inbox/team") as r:
        assert r.status == 403
