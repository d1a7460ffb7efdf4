from __future__ import annotations

from dataclasses import replace
from typing import Any

from routing.assignment import (
    AssignmentRequest,
    achievable_requirements,
    choose_agent,
    order_queue,
    pick_next_for_agent,
)
from routing.model import AgentState, Department, Strategy
from tests.unit.routing.builders import NOW, agent, conversation, department, minutes_ago

SUPPORT = department("support", fallback_after=300)


def request(strategy: Strategy = "balanced", **fields: Any) -> AssignmentRequest:
    fields.setdefault("waited", 0.0)
    return AssignmentRequest(department=SUPPORT, strategy=strategy, **fields)


def reasons(agents: list[AgentState], req: AssignmentRequest | None = None) -> dict[str, str]:
    result = choose_agent(req or request(), agents)
    return {e.agent_id: e.reason for e in result.filtered_out}


def test_agent_at_capacity_is_filtered_out_with_reason() -> None:
    agents = [agent("ana", open_count=5, capacity=5), agent("bob", open_count=4, capacity=5)]

    result = choose_agent(request(), agents)

    assert result.agent_id == "bob"
    assert reasons(agents) == {"ana": "at capacity (5/5)"}


def test_offline_away_and_disconnected_agents_are_filtered_with_reason() -> None:
    agents = [
        agent("ana", status="offline"),
        agent("bob", status="away"),
        agent("cy", connected=False),
        agent("dee"),
    ]

    assert reasons(agents) == {"ana": "offline", "bob": "away", "cy": "not connected"}


def test_agents_outside_the_department_are_not_considered() -> None:
    result = choose_agent(request(), [agent("ana", departments=("billing",)), agent("bob")])

    assert result.agent_id == "bob"
    assert result.ranked == ("bob",)


def test_balanced_picks_fewest_open_conversations() -> None:
    agents = [agent("ana", open_count=3), agent("bob", open_count=1), agent("cy", open_count=2)]

    result = choose_agent(request(), agents)

    assert result.agent_id == "bob"
    assert result.tie_break == "balanced: Bob has the fewest open conversations (1)"


def test_balanced_tie_goes_to_whoever_waited_longest_since_last_assignment() -> None:
    agents = [
        agent("ana", open_count=1, last_assigned_at=minutes_ago(5)),
        agent("bob", open_count=1, last_assigned_at=minutes_ago(50)),
        agent("cy", open_count=2, last_assigned_at=None),
    ]

    result = choose_agent(request(), agents)

    assert result.agent_id == "bob"
    assert result.tie_break.startswith("balanced: 2 agents tied at 1 open conversations; Bob waited longest")


def test_round_robin_rotates() -> None:
    agents = {a.id: a for a in (agent("ana", open_count=4), agent("bob"), agent("cy"))}
    picked = []
    for minute in range(4):
        chosen = choose_agent(request("round_robin"), agents.values()).agent_id
        assert chosen is not None
        picked.append(chosen)
        agents[chosen] = replace(agents[chosen], last_assigned_at=NOW.replace(minute=minute))

    assert picked == ["ana", "bob", "cy", "ana"]


def test_skills_filter_records_missing_skill() -> None:
    agents = [agent("ana"), agent("bob", skills=("refunds",))]

    result = choose_agent(request(skills=frozenset({"refunds"})), agents)

    assert result.agent_id == "bob"
    assert reasons(agents, request(skills=frozenset({"refunds"}))) == {"ana": "lacks skill refunds"}


def test_conversation_waits_for_speaker_before_fallback_and_says_how_long() -> None:
    agents = [agent("ana"), agent("sara", languages=("fa",), status="away")]

    result = choose_agent(request(language="fa", waited=60.0), agents)

    assert result.agent_id is None
    assert result.tie_break == "waiting for an agent with language fa; opens to the whole department in 4m"
    assert {e.agent_id: e.reason for e in result.filtered_out} == {"sara": "away", "ana": "lacks language fa"}


def test_fallback_widens_to_whole_department_after_wait() -> None:
    agents = [agent("ana"), agent("sara", languages=("fa",), status="away")]

    result = choose_agent(request(language="fa", waited=301.0), agents)

    assert result.agent_id == "ana"
    assert result.fallback == "waited 5m, longer than 5m: widened to all of Support (dropped language fa)"
    assert [e.agent_id for e in result.filtered_out] == ["sara"]


def test_sticky_routing_returns_customer_to_previous_agent() -> None:
    agents = [agent("ana", open_count=0), agent("bob", open_count=3, languages=())]

    result = choose_agent(request(sticky_agent_id="bob", language="en"), agents)

    assert result.agent_id == "bob"
    assert result.ranked == ("bob", "ana")


def test_sticky_agent_unavailable_falls_back_to_strategy_with_note() -> None:
    agents = [agent("ana"), agent("bob", open_count=5, capacity=5)]

    result = choose_agent(request(sticky_agent_id="bob"), agents)

    assert result.agent_id == "ana"
    assert result.notes == ("previous agent Bob is not available (at capacity (5/5))",)


def test_rule_named_agent_in_another_department_is_noted() -> None:
    result = choose_agent(request(preferred_agent_id="zed"), [agent("ana")])

    assert result.agent_id == "ana"
    assert result.notes == ("agent named by rule zed is not in this department",)


def test_manual_strategy_leaves_conversation_in_queue() -> None:
    result = choose_agent(request("manual"), [agent("ana")])

    assert result.agent_id is None
    assert "assigns by hand" in result.tie_break


def test_everyone_offline_queues_with_reasons() -> None:
    result = choose_agent(request(), [agent("ana", status="offline"), agent("bob", connected=False)])

    assert result.agent_id is None
    assert result.tie_break == "no agent in Support is available now"
    assert len(result.filtered_out) == 2


def test_requirements_nobody_in_department_can_meet_are_dropped() -> None:
    team = [agent("ana", skills=("refunds",), languages=("en",))]

    language, skills, notes = achievable_requirements(SUPPORT, team, "vi", {"refunds", "legal"})

    assert (language, skills) == (None, frozenset({"refunds"}))
    assert notes == (
        "nobody in Support speaks vi, so language is not required",
        "nobody in Support has skill legal, so it is not required",
    )


def test_queue_is_ordered_longest_waiting_first() -> None:
    queue = [
        conversation("new", waiting_since=minutes_ago(1)),
        conversation("old", waiting_since=minutes_ago(30)),
        conversation("mid-urgent", waiting_since=minutes_ago(10), priority="urgent"),
        conversation("mid", waiting_since=minutes_ago(10)),
    ]

    assert [c.id for c in order_queue(queue)] == ["old", "mid-urgent", "mid", "new"]


def test_freed_agent_takes_the_longest_waiting_conversation_they_can() -> None:
    queue = [
        conversation("c-new", department_id="support", waiting_since=minutes_ago(1)),
        conversation("c-old", department_id="support", waiting_since=minutes_ago(20)),
        conversation("c-other", department_id="billing", waiting_since=minutes_ago(60)),
        conversation("c-taken", department_id="support", assignee_id="x", waiting_since=minutes_ago(90)),
    ]

    pick = pick_next_for_agent(agent("ana"), queue, {"support": SUPPORT}, NOW)

    assert pick.conversation_id == "c-old"
    assert pick.ranked == ("c-old", "c-new")


def test_freed_agent_skips_conversation_needing_another_language_until_fallback() -> None:
    queue = [
        conversation("fa-old", department_id="support", required_language="fa", waiting_since=minutes_ago(4)),
        conversation("en", department_id="support", waiting_since=minutes_ago(2)),
    ]

    pick = pick_next_for_agent(agent("ana"), queue, {"support": SUPPORT}, NOW)
    later = pick_next_for_agent(agent("ana"), queue, {"support": SUPPORT}, minutes_ago(-2))

    assert pick.conversation_id == "en"
    assert pick.skipped == (("fa-old", "lacks language fa; open to anyone in Support in 1m"),)
    assert later.conversation_id == "fa-old"


def test_agent_at_capacity_picks_nothing() -> None:
    queue = [conversation("c1", department_id="support")]

    pick = pick_next_for_agent(agent("ana", open_count=2, capacity=2), queue, {}, NOW)

    assert pick.conversation_id is None
    assert pick.reason == "Ana cannot take a conversation now (at capacity (2/2))"


def test_manual_department_queue_is_not_auto_assigned() -> None:
    manual = Department("vip", "VIP desk", strategy="manual")
    queue = [conversation("c1", department_id="vip")]

    pick = pick_next_for_agent(agent("ana", departments=("vip",)), queue, {"vip": manual}, NOW)

    assert pick.conversation_id is None
    assert pick.skipped == (("c1", "VIP desk assigns by hand"),)
