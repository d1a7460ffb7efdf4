"""Bad routing configuration never breaks ingest: each case lands in a department's queue and says why."""

from __future__ import annotations

from hub.assign.admin import save_rules
from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import routing_rules
from routing.rules_io import rules_from_dicts
from tests.integration.routing.support import agent, conversation, department, writes


async def use_rules(hub: Hub, rules: list[dict[str, object]]) -> None:
    await save_rules(hub, rules_from_dicts(rules), None, "test", utcnow())


async def test_rule_naming_a_department_deleted_since_falls_back_to_the_default_queue(hub: Hub) -> None:
    await agent(hub, "support@x.test", status="offline")
    gone = await department(hub, "Returns")
    await use_rules(hub, [{"name": "Returns go to Returns", "when": [{"text": ["return"]}],
                           "then": [{"set_department": "returns"}]}])
    await hub.db["departments"].delete_one({"_id": gone["_id"]})
    runtime(hub).invalidate()
    result = await writes(hub, "I want to return my shoes", "v-1")
    routed = await conversation(hub, result.conversation["_id"])
    support = await hub.db["departments"].find_one({"name": "Support"})
    assert support is not None and routed["department_id"] == support["_id"]
    assert "names department 'returns', which does not exist" in " ".join(routed["routing"]["explanation"]["notes"])


async def test_rule_sending_to_a_department_without_agents_queues_there_and_says_so(hub: Hub) -> None:
    await agent(hub, "support@x.test")
    empty = await department(hub, "Legal")
    await use_rules(hub, [{"name": "Lawyers", "when": [{"text": ["lawyer"]}], "then": [{"set_department": "legal"}]}])
    result = await writes(hub, "my lawyer will call", "v-1")
    routed = await conversation(hub, result.conversation["_id"])
    assert (routed["department_id"], routed["assignee_id"]) == (empty["_id"], None)
    assert routed["routing"]["explanation"]["tie_break"] == "Legal has no agents"


async def test_every_agent_offline_leaves_the_conversation_queued_with_each_reason(hub: Hub) -> None:
    offline = await agent(hub, "off@x.test", status="offline")
    away = await agent(hub, "away@x.test", status="away")
    unplugged = await agent(hub, "gone@x.test", connected=False)
    result = await writes(hub, "hello", "v-1")
    routed = await conversation(hub, result.conversation["_id"])
    assert routed["assignee_id"] is None
    reasons = {entry["id"]: entry["reason"] for entry in routed["routing"]["explanation"]["filtered_out"]}
    assert reasons == {str(offline["_id"]): "offline", str(away["_id"]): "away",
                       str(unplugged["_id"]): "not connected"}
    assert "no agent in Support is available now" in routed["routing"]["explanation"]["summary"]


async def test_rules_that_would_send_a_conversation_back_and_forth_settle_on_one_department(hub: Hub) -> None:
    await department(hub, "Billing")
    await agent(hub, "support@x.test")
    await use_rules(hub, [
        {"name": "Ping", "when": [{"text": ["ping"]}], "then": [{"set_department": "billing"},
                                                               {"add_labels": ["pong"]}], "continue": True},
        {"name": "Pong", "when": [{"labels": {"contains": "pong"}}], "then": [{"set_department": "support"},
                                                                               {"add_labels": ["ping"]}],
         "continue": True},
    ])
    first = await writes(hub, "ping", "v-1")
    again = await writes(hub, "ping ping", "v-1", external_id=None)
    assert first.conversation["_id"] == again.conversation["_id"]
    routed = await conversation(hub, first.conversation["_id"])
    assert [r["name"] for r in routed["routing"]["explanation"]["matched_rules"]] == ["Ping"]
    events = [m for m in await hub.db["messages"].find({"conversation_id": routed["_id"], "direction": "event"})
              .to_list(10)]
    assert len(events) == 1  # routed once; a later message does not move it again


async def test_stored_rules_that_no_longer_read_route_without_them_and_say_why(hub: Hub) -> None:
    await agent(hub, "support@x.test")
    await routing_rules.save(hub.db, [{"name": "Old format", "when": "whenever", "then": []}], "old", None, "test",
                             utcnow())
    result = await writes(hub, "hello", "v-1")
    routed = await conversation(hub, result.conversation["_id"])
    assert routed["assignee_id"] is not None
    config = await runtime(hub).config()
    assert config.problems and 'rule "Old format"' in config.problems[0]
