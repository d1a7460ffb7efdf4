"""The label picker's suggestions: labels already in use, only from conversations the caller may see."""

from __future__ import annotations

import aiohttp

from hub import names as model
from hub.runtime import Hub
from hub.store.documents import Conversation
from tests.integration.conversation.helpers import Agent, agent, customer_writes


async def _in(hub: Hub, conversation: Conversation, department: str, labels: list[str],
              assignee: Agent | None = None) -> None:
    department_doc = await hub.db[model.DEPARTMENTS].find_one({"name": department})
    assert department_doc is not None
    await hub.db[model.CONVERSATIONS].update_one({"_id": conversation["_id"]}, {"$set": {
        "department_id": department_doc["_id"], "labels": labels,
        "assignee_id": assignee.user["_id"] if assignee else None}})


async def test_an_agent_is_offered_only_labels_of_conversations_they_may_see_and_a_lead_every_label(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")  # Support
    lead = await agent(hub, http2, base_url, "lead@x.test", "Lena", role="lead", departments=("Sales",))
    await _in(hub, await customer_writes(hub, "refund?", "a-1", visitor="v-1"), "Support", ["Billing", "vip"])
    await _in(hub, await customer_writes(hub, "lawsuit", "a-2", visitor="v-2"), "Sales", ["legal-hold"])
    await _in(hub, await customer_writes(hub, "quote", "a-3", visitor="v-3"), "Sales", ["bulk-order"], assignee=ana)

    status, body = await ana.get("/api/v1/labels")
    assert status == 200 and body["labels"] == ["Billing", "bulk-order", "vip"]  # not Sales' "legal-hold"
    status, body = await lead.get("/api/v1/labels")
    assert status == 200 and body["labels"] == ["Billing", "bulk-order", "legal-hold", "vip"]

    status, body = await ana.get("/api/v1/labels?q=b")
    assert status == 200 and body["labels"] == ["Billing", "bulk-order"]  # any case, by prefix
    status, body = await lead.get("/api/v1/labels?q=LEG")
    assert status == 200 and body["labels"] == ["legal-hold"]
    status, body = await ana.get("/api/v1/labels?q=leg")
    assert status == 200 and body["labels"] == []


async def test_a_label_prefix_longer_than_any_label_is_refused_with_a_reason(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    ana = await agent(hub, http, base_url, "ana@x.test", "Ana")
    status, body = await ana.get("/api/v1/labels?q=" + "x" * 41)
    assert status == 400 and "at most 40 characters" in body["error"], body
    status, body = await ana.get("/api/v1/labels?q=(")  # a regex character is only a character
    assert status == 200 and body["labels"] == []
