"""Team leads move conversations with a note; every move is in the timeline; agents cannot move others' work."""

from __future__ import annotations

import aiohttp

from hub.runtime import Hub
from hub.store import agents, messages
from tests.integration.routing.support import agent, api, conversation, department, token_for, writes
from tests.support.agents import make_user


async def test_transfer_with_a_note_reaches_the_receiving_agent_with_the_whole_history(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    support_agent = await agent(hub, "support@x.test", name="Sina Support")
    billing = await department(hub, "Billing")
    billing_agent = await agent(hub, "billing@x.test", departments=("Billing",), name="Bao Billing")
    lead = await make_user(hub.db, "lead@x.test", role="lead", name="Layla Lead")
    started = await writes(hub, "I was charged twice", "v-1")
    conversation_id = started.conversation["_id"]
    assert (await conversation(hub, conversation_id))["assignee_id"] == support_agent["_id"]

    status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{conversation_id}/transfer",
                             await token_for(hub, lead),
                             json={"department_id": "billing", "note": "Double charge on card ending 4242"})
    assert status == 200, body
    assert body["department_id"] == str(billing["_id"])
    assert body["assignee_id"] == str(billing_agent["_id"])

    status, timeline = await api(http, "GET", f"{base_url}/api/v1/conversations/{conversation_id}/messages",
                                 await token_for(hub, billing_agent))
    assert status == 200
    texts = [m["text"] for m in timeline["messages"]]
    assert texts[0] == "I was charged twice"
    transfer = next(m for m in timeline["messages"] if (m.get("data") or {}).get("type") == "transfer")
    assert transfer["text"].startswith("Layla Lead transferred this from Support to Billing, assigned to Bao Billing")
    assert "Note: Double charge on card ending 4242" in transfer["text"]
    assert transfer["data"]["note"] == "Double charge on card ending 4242"
    loads = {a["_id"]: a.get("open_count") for a in await agents.routable(hub.db)}
    assert loads == {support_agent["_id"]: 0, billing_agent["_id"]: 1}


async def test_only_leads_and_admins_transfer_and_unknown_departments_are_refused(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    support_agent = await agent(hub, "support@x.test")
    lead = await make_user(hub.db, "lead@x.test", role="lead")
    started = await writes(hub, "help", "v-1")
    url = f"{base_url}/api/v1/conversations/{started.conversation['_id']}/transfer"
    status, body = await api(http, "POST", url, await token_for(hub, support_agent), json={"department_id": "Support"})
    assert status == 403 and "lead" in body["error"]
    lead_headers = await token_for(hub, lead)
    status, body = await api(http, "POST", url, lead_headers, json={"department_id": "nowhere"})
    assert status == 400 and body["error"] == "no department 'nowhere'"
    status, body = await api(http, "POST", url, lead_headers, json={"department_id": "support", "note": 5})
    assert status == 400 and body["error"] == "'note' must be text"
    status, body = await api(http, "POST", url, lead_headers, json={"note": "where to?"})
    assert status == 400 and "department_id" in body["error"]
    assert (await conversation(hub, started.conversation["_id"]))["assignee_id"] == support_agent["_id"]


async def test_lead_reassigns_with_a_note_and_the_load_moves_with_it(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    first = await agent(hub, "first@x.test", capacity=1, name="Farid First")
    started = await writes(hub, "my parcel is late", "v-1")
    second = await agent(hub, "second@x.test", name="Sara Second")
    lead = await make_user(hub.db, "lead@x.test", role="lead", name="Layla Lead")
    conversation_id = started.conversation["_id"]
    status, body = await api(http, "POST", f"{base_url}/api/v1/conversations/{conversation_id}/assign",
                             await token_for(hub, lead),
                             json={"assignee_id": str(second["_id"]), "note": "Sara handled their last order"})
    assert status == 200 and body["assignee_id"] == str(second["_id"])
    events = [m for m in await messages.timeline(hub.db, conversation_id) if m["direction"] == "event"]
    assert events[-1]["text"] == "Layla Lead assigned this to Sara Second. Note: Sara handled their last order"
    assert events[-1]["data"]["from"] == first["_id"]
    loads = {a["_id"]: a.get("open_count") for a in await agents.routable(hub.db)}
    assert loads == {first["_id"]: 0, second["_id"]: 1}


async def test_an_agent_cannot_take_or_hand_away_another_agents_conversation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    owner = await agent(hub, "owner@x.test")
    started = await writes(hub, "hello", "v-1")
    other = await agent(hub, "other@x.test")
    url = f"{base_url}/api/v1/conversations/{started.conversation['_id']}/assign"
    status, body = await api(http, "POST", url, await token_for(hub, other), json={"assignee_id": "me"})
    assert status == 403 and "team lead" in body["error"]
    status, body = await api(http, "POST", url, await token_for(hub, owner),
                             json={"assignee_id": str(other["_id"])})
    assert status == 403
    assert (await conversation(hub, started.conversation["_id"]))["assignee_id"] == owner["_id"]


async def test_admin_sets_an_agents_languages_and_capacity_and_more_room_takes_the_queue(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    full = await agent(hub, "full@x.test", capacity=1)
    await writes(hub, "first", "v-1")
    waiting = await writes(hub, "second", "v-2")
    assert (await conversation(hub, waiting.conversation["_id"]))["assignee_id"] is None
    admin = await token_for(hub, await make_user(hub.db, "admin@x.test", role="admin"))
    url = f"{base_url}/api/v1/agents/{full['_id']}"
    status, body = await api(http, "PUT", url, admin, json={"capacity": 2, "languages": ["FA", "en"]})
    assert status == 200, body
    assert (body["capacity"], body["languages"], body["open_count"]) == (2, ["en", "fa"], 2)
    assert (await conversation(hub, waiting.conversation["_id"]))["assignee_id"] == full["_id"]
    for bad, message in (({"capacity": -1}, "capacity must be a whole number"),
                         ({"status": "asleep"}, "status must be one of online, away, offline"),
                         ({"languages": "fa"}, "languages must be a list of text")):
        status, body = await api(http, "PUT", url, admin, json=bad)
        assert status == 400 and message in body["error"]
    status, listed = await api(http, "GET", f"{base_url}/api/v1/agents", admin)
    assert status == 200 and [a["id"] for a in listed["agents"]] == [str(full["_id"])]
    status, _ = await api(http, "PUT", url, await token_for(hub, full), json={"capacity": 50})
    assert status == 403
