from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from routing import engine
from routing.decision import SendAutoReply
from routing.engine import decide
from routing.model import Notify, Priority
from routing.rules_io import rules_from_yaml
from tests.unit.routing.builders import (
    NOW,
    TEHRAN_WEEK,
    agent,
    contact,
    conversation,
    department,
    event,
    minutes_ago,
    policy,
)

DEMO_RULES = (Path(__file__).parents[2] / "fixtures" / "routing" / "demo_rules.yaml").read_text()
AFTER_HOURS = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)  # 18:30 in Tehran

BILLING_RULES = """
- name: Billing words
  id: billing
  when: {text: [invoice, refund*]}
  then: [{set_department: billing}, {add_labels: [billing]}]
- name: Everything else to sales
  id: sales
  then: [{set_department: sales}]
"""


def test_no_rules_and_no_departments_route_to_default_queue_with_explanation() -> None:
    decision = decide(event("hello"), conversation(), contact(), policy(default="inbox"), [], NOW)

    assert decision.department_id == "inbox"
    assert decision.agent_id is None
    assert decision.explanation.department_reason == "policy default"
    assert "inbox has no agents" in decision.explanation.summary()


def test_first_matching_rule_wins_and_later_rules_are_not_reached() -> None:
    rules = policy(BILLING_RULES, [department("billing"), department("sales"), department("support")])

    decision = decide(event("Where is my INVOICE?"), conversation(), contact(), rules, [], NOW)

    assert decision.department_id == "billing"
    assert decision.labels == {"billing"}
    assert [t.rule_id for t in decision.explanation.rules] == ["billing"]
    assert decision.explanation.rules_not_reached == 1


def test_non_matching_rule_records_why_and_next_rule_matches() -> None:
    rules = policy(BILLING_RULES, [department("billing"), department("sales"), department("support")])

    decision = decide(event("I want a demo"), conversation(), contact(), rules, [], NOW)

    assert decision.department_id == "sales"
    first = decision.explanation.rules[0]
    assert (first.outcome, first.reason) == (
        "no_match",
        "text has none of the keywords ['invoice', 'refund*']",
    )


def test_continue_lets_later_rules_add_to_the_decision() -> None:
    yaml_rules = """
- name: VIP
  when: {vip: true}
  then: [{set_priority: urgent}]
  continue: true
- name: Billing
  when: {text: invoice}
  then: [{set_department: billing}]
"""
    rules = policy(yaml_rules, [department("billing"), department("support")])

    decision = decide(event("invoice please"), conversation(), contact(vip=True), rules, [], NOW)

    assert (decision.department_id, decision.priority) == ("billing", "urgent")
    assert [t.name for t in decision.explanation.matched_rules] == ["VIP", "Billing"]


def test_disabled_rule_is_skipped() -> None:
    yaml_rules = """
- {name: Switched off, enabled: false, then: [{set_department: billing}]}
"""
    decision = decide(event("x"), conversation(), contact(), policy(yaml_rules), [], NOW)

    assert decision.department_id == "support"
    assert decision.explanation.rules_disabled == 1


def test_order_field_beats_list_position() -> None:
    yaml_rules = """
- {name: Late, order: 20, then: [{set_department: sales}]}
- {name: Early, order: 5, then: [{set_department: billing}]}
"""
    decision = decide(event("x"), conversation(), contact(), policy(yaml_rules), [], NOW)

    assert decision.department_id == "billing"


def test_rule_naming_deleted_department_falls_back_to_default_with_note() -> None:
    rules = rules_from_yaml("- {name: Old, then: [{set_department: gone}]}")
    decision = decide(event("x"), conversation(), contact(), policy(rules, [department("support")]), [], NOW)

    assert decision.department_id == "support"
    assert any("'gone', which does not exist" in note for note in decision.explanation.notes)


def test_persian_text_goes_to_agent_who_speaks_persian() -> None:
    agents = [agent("ana", open_count=0), agent("sara", languages=("fa", "en"), open_count=3)]

    decision = decide(
        event("سلام، سفارشم کجاست؟", language="fa"), conversation(), contact(), policy(), agents, NOW
    )

    assert decision.agent_id == "sara"
    assert decision.required_language == "fa"
    assert [(e.agent_id, e.reason) for e in decision.explanation.filtered_out] == [
        ("ana", "lacks language fa")
    ]


def test_arabic_customer_waits_for_arabic_speaker_before_fallback() -> None:
    agents = [agent("ana"), agent("omar", languages=("ar",), status="away")]

    decision = decide(event("مرحبا", language="ar"), conversation(), contact(), policy(), agents, NOW)

    assert decision.agent_id is None
    assert "waiting for an agent with language ar" in decision.explanation.tie_break


def test_language_nobody_in_department_speaks_is_not_required() -> None:
    decision = decide(
        event("Xin chào", language="vi"), conversation(), contact(), policy(), [agent("ana")], NOW
    )

    assert decision.agent_id == "ana"
    assert decision.required_language is None
    assert any("nobody in support speaks vi" in note for note in decision.explanation.notes)


def test_out_of_hours_autoreply_sent_once_within_window() -> None:
    rules = policy((), [department("support", hours=TEHRAN_WEEK, autoreply_out_of_hours="closed")])

    first = decide(event("hi"), conversation(), contact(), rules, [], AFTER_HOURS)
    again = conversation(last_autoreply_at=AFTER_HOURS - timedelta(hours=1))
    second = decide(event("hello?", kind="message"), again, contact(), rules, [], AFTER_HOURS)
    next_day = conversation(last_autoreply_at=AFTER_HOURS - timedelta(hours=25))
    third = decide(event("anyone?", kind="message"), next_day, contact(), rules, [], AFTER_HOURS)

    assert first.actions == (SendAutoReply("closed", out_of_hours=True),)
    assert first.opens_at == datetime(2025, 6, 3, 5, 30, tzinfo=UTC)  # Tuesday 09:00 in Tehran
    assert second.actions == ()
    assert "not sent: one went out 1h ago" in second.explanation.autoreply
    assert third.actions == (SendAutoReply("closed", out_of_hours=True),)


def test_in_hours_autoreply_only_greets_new_conversations() -> None:
    rules = policy((), [department("support", hours=TEHRAN_WEEK, autoreply_in_hours="ack")])

    new = decide(event("hi"), conversation(), contact(), rules, [], NOW)
    follow_up = decide(event("more", kind="message"), conversation(), contact(), rules, [], NOW)

    assert new.actions == (SendAutoReply("ack", out_of_hours=False),)
    assert follow_up.actions == ()


def test_rule_autoreply_and_notify_become_decision_actions() -> None:
    yaml_rules = """
- name: VIP after hours
  when: [{vip: true}, {business_hours: out}]
  then: [{autoreply: vip_after_hours}, {notify: {to: lead, message: VIP waiting}}]
"""
    rules = policy(yaml_rules, [department("support", hours=TEHRAN_WEEK, autoreply_out_of_hours="closed")])

    decision = decide(event("help"), conversation(), contact(vip=True), rules, [], AFTER_HOURS)

    assert decision.actions == (SendAutoReply("vip_after_hours", True), Notify("lead", "VIP waiting"))


def test_message_in_conversation_under_way_keeps_department_and_assignee() -> None:
    rules = policy(BILLING_RULES, [department("billing"), department("sales"), department("support")])
    ongoing = conversation(department_id="support", assignee_id="ana")

    decision = decide(
        event("also my invoice", kind="message"), ongoing, contact(), rules, [agent("bob")], NOW
    )

    assert (decision.department_id, decision.agent_id) == ("support", "ana")
    assert decision.labels == {"billing"}
    assert any("keeps its department" in note for note in decision.explanation.notes)


@pytest.mark.parametrize(("asked", "expected"), [("low", "high"), ("urgent", "urgent")])
def test_message_event_only_raises_priority(asked: Priority, expected: Priority) -> None:
    rules = policy(f"- {{name: P, then: [{{set_priority: {asked}}}]}}")
    ongoing = conversation(department_id="support", assignee_id="ana", priority="high")

    decision = decide(event("x", kind="message"), ongoing, contact(), rules, [], NOW)

    assert decision.priority == expected


def test_reopened_conversation_goes_back_to_its_agent_even_when_busier() -> None:
    agents = [agent("ana", open_count=0), agent("bob", open_count=4)]
    reopened = conversation(department_id="support", previous_assignee_id="bob")

    decision = decide(event("it broke again", kind="reopened"), reopened, contact(), policy(), agents, NOW)

    assert decision.agent_id == "bob"
    assert decision.explanation.tie_break == "sticky: returned to previous agent Bob"


def test_reassignment_never_picks_the_excluded_agent() -> None:
    agents = [agent("ana", open_count=0), agent("bob", open_count=2)]
    stuck = conversation(department_id="support", assignee_id="ana")
    reroute = event("", kind="reroute", exclude_agent_ids=frozenset({"ana"}))

    decision = decide(reroute, stuck, contact(), policy(), agents, NOW)

    assert decision.agent_id == "bob"
    assert ("ana", "excluded from this assignment") in [
        (e.agent_id, e.reason) for e in decision.explanation.filtered_out
    ]


def test_capacity_freed_assigns_without_running_rules() -> None:
    rules = policy("- {name: All to sales, then: [{set_department: sales}]}")
    queued = conversation(department_id="support", required_language="fa", waiting_since=minutes_ago(1))
    agents = [agent("sara", languages=("fa",))]

    decision = decide(event(kind="capacity_freed"), queued, contact(), rules, agents, NOW)

    assert (decision.department_id, decision.agent_id) == ("support", "sara")
    assert decision.explanation.rules == ()


def test_rule_can_name_an_agent() -> None:
    rules = policy("- {name: Key account, when: {attributes.account: acme}, then: [{assign_agent: bob}]}")
    agents = [agent("ana"), agent("bob", open_count=4)]

    decision = decide(
        event("hi"), conversation(), contact(attributes={"account": "ACME"}), rules, agents, NOW
    )

    assert decision.agent_id == "bob"


def test_business_hours_condition_uses_the_department_chosen_so_far() -> None:
    yaml_rules = """
- {name: To night desk, then: [{set_department: night}], continue: true}
- {name: Night desk closed, when: {business_hours: out}, then: [{add_labels: [closed]}]}
"""
    night = department("night", hours=TEHRAN_WEEK)
    rules = policy(yaml_rules, [night, department("support")])

    decision = decide(event("x"), conversation(), contact(), rules, [], AFTER_HOURS)

    assert decision.labels == {"closed"}
    assert decision.department_open is False


def test_ranked_agent_ids_offer_alternatives_for_a_lost_capacity_race() -> None:
    agents = [agent("ana", open_count=2), agent("bob", open_count=0), agent("cy", open_count=1)]

    decision = decide(event("hi"), conversation(), contact(), policy(), agents, NOW)

    assert decision.ranked_agent_ids == ("bob", "cy", "ana")


def test_explanation_is_json_ready_and_names_filtered_agents() -> None:
    agents = [agent("ana", status="offline"), agent("bob", open_count=5, capacity=5), agent("cy")]

    decision = decide(
        event("hi"),
        conversation(),
        contact(),
        policy((), [department("support")], rules_version="v7"),
        agents,
        NOW,
    )
    stored = json.loads(json.dumps(decision.explanation.as_dict()))

    assert stored["agent"] == {"id": "cy", "name": "Cy"}
    assert stored["filtered_out"] == [
        {"id": "ana", "name": "Ana", "reason": "offline"},
        {"id": "bob", "name": "Bob", "reason": "at capacity (5/5)"},
    ]
    assert stored["rules_version"] == "v7"
    assert stored["summary"] == (
        "No rules applied; department Support (policy default). "
        "Assigned to Cy (only available candidate: Cy). "
        "Filtered out: Ana (offline), Bob (at capacity (5/5)). Rules version v7."
    )


def test_decision_as_dict_is_json_ready_and_caps_long_agent_lists() -> None:
    rules = policy("- {name: Ping lead, then: [{notify: lead}]}")
    agents = [agent(f"a{i:03}", status="offline") for i in range(120)] + [agent("zed")]

    stored = json.loads(
        json.dumps(decide(event("hi"), conversation(), contact(), rules, agents, NOW).as_dict())
    )

    assert stored["agent_id"] == "zed"
    assert stored["actions"] == [{"type": "notify", "to": "lead", "message": ""}]
    assert len(stored["explanation"]["filtered_out"]) == 50
    assert stored["explanation"]["filtered_out_total"] == 120


def test_naive_datetimes_from_mongodb_count_as_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    waited = conversation(waiting_since=naive_now - timedelta(minutes=10), created_at=None)
    agents = [agent("ana"), agent("sara", languages=("fa",), status="offline")]

    decision = decide(event("سلام", language="fa"), waited, contact(), policy(), agents, naive_now)

    assert decision.agent_id == "ana"
    assert decision.explanation.fallback.startswith("waited 10m, longer than 5m")


def test_unexpected_error_leaves_conversation_in_queue_without_raising(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "choose_agent", explode)

    decision = decide(event("hi"), conversation(), contact(), policy(), [agent("ana")], NOW)

    assert (decision.department_id, decision.agent_id) == ("support", None)
    assert "routing failed (RuntimeError: boom)" in decision.explanation.notes[0]


def test_rule_that_errors_is_recorded_and_the_next_rule_still_applies() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise ValueError("cannot show")

    yaml_rules = """
- {name: Plan, when: {attributes.plan: gold}, then: [{set_department: sales}]}
- {name: Fallback, then: [{set_department: billing}]}
"""
    buyer = contact(attributes={"plan": Unprintable()})

    decision = decide(event("x"), conversation(), buyer, policy(yaml_rules), [], NOW)

    assert decision.department_id == "billing"
    assert decision.explanation.rules[0].outcome == "error"


DEMO_AGENTS = [
    agent("bill-en", departments=("billing",), open_count=1),
    agent("bill-ar", departments=("billing",), languages=("ar", "en"), open_count=2),
    agent("sup-en", open_count=0),
    agent("sup-fa", languages=("fa", "en"), open_count=1),
]


@pytest.mark.parametrize(
    ("text", "language", "vip", "department_id", "agent_id", "priority"),
    [
        ("I need a refund for my order", "en", False, "billing", "bill-en", "normal"),
        ("أريد استرداد المبلغ", "ar", False, "billing", "bill-ar", "normal"),
        ("فاکتورم نیامده", "fa", False, "billing", "bill-en", "normal"),
        ("سلام، سفارشم کجاست؟", "fa", False, "support", "sup-fa", "normal"),
        ("Where is my order?", "en", True, "support", "sup-en", "high"),
        ("我的发票有问题", "zh", False, "billing", "bill-en", "normal"),
        ("Tôi cần hóa đơn", "vi", True, "billing", "bill-en", "high"),
    ],
)
def test_demo_rules_route_each_customer(
    text: str, language: str, vip: bool, department_id: str, agent_id: str, priority: Priority
) -> None:
    rules = policy(DEMO_RULES, [department("billing"), department("support")])

    decision = decide(
        event(text, language=language), conversation(), contact(vip=vip), rules, DEMO_AGENTS, NOW
    )

    assert (decision.department_id, decision.agent_id, decision.priority) == (
        department_id,
        agent_id,
        priority,
    )
