from __future__ import annotations

from pathlib import Path

import pytest

from routing.errors import RuleValidationError
from routing.model import AllOf, AnyOf, Condition, Not, Notify, SetDepartment
from routing.rules_io import (
    reference_problems,
    rule_from_dict,
    rules_from_dicts,
    rules_from_yaml,
    rules_to_dicts,
    rules_to_yaml,
    rules_version,
)

DEMO_RULES = (Path(__file__).parents[2] / "fixtures" / "routing" / "demo_rules.yaml").read_text()

FULL = """
rules:
  - id: billing
    name: Billing words
    description: Money questions
    order: 5
    when:
      - text: {keywords: [invoice, فاتورة], regex: 'order\\s*\\d+'}
      - channel: [whatsapp, sms]
      - any:
          - vip: true
          - attributes.seats: {gte: 50}
      - not: {tags: spam}
    then:
      - set_department: billing
      - set_priority: high
      - add_labels: [billing, money]
      - autoreply: billing_ack
      - strategy: round_robin
      - notify: {to: lead, message: Big customer}
      - notify: department
      - require_skills: refunds
      - assign_agent: u-7
    continue: true
  - name: Night shift
    enabled: false
    when: {business_hours: out, language: {in: [ar, fa]}}
    then: {set_department: night}
"""


def problems_of(
    text: str, department_ids: list[str] | None = None, agent_ids: list[str] | None = None
) -> list[str]:
    with pytest.raises(RuleValidationError) as caught:
        rules_from_yaml(text, department_ids=department_ids, agent_ids=agent_ids)
    return caught.value.messages


def test_yaml_roundtrip() -> None:
    rules = rules_from_yaml(FULL)

    assert rules_from_yaml(rules_to_yaml(rules)) == rules
    assert rules_from_yaml(rules_to_yaml(rules_from_yaml(DEMO_RULES))) == rules_from_yaml(DEMO_RULES)


def test_dicts_for_mongodb_roundtrip() -> None:
    rules = rules_from_yaml(FULL)

    assert rules_from_dicts(rules_to_dicts(rules)) == rules
    assert rule_from_dict(rules_to_dicts(rules)[1]) == rules[1]


def test_yaml_is_parsed_into_the_expected_structure() -> None:
    billing, night = rules_from_yaml(FULL)

    assert billing.conditions[0] == AllOf(
        (Condition("text", "keywords", ("invoice", "فاتورة")), Condition("text", "regex", r"order\s*\d+"))
    )
    assert billing.conditions[1] == Condition("channel", "in", ("whatsapp", "sms"))
    assert isinstance(billing.conditions[2], AnyOf)
    assert billing.conditions[3] == Not(Condition("tags", "contains", "spam"))
    assert Notify("lead", "Big customer") in billing.actions
    assert (billing.order, billing.continue_matching) == (5, True)
    assert (night.id, night.order, night.enabled, night.actions) == (
        "night-shift",
        20,
        False,
        (SetDepartment("night"),),
    )


def test_bad_regex_rule_is_rejected_with_rule_name() -> None:
    problems = problems_of("- {name: Orders, when: {text: {regex: 'order (\\d+'}}, then: [{add_labels: x}]}")

    assert problems == [
        "rule \"Orders\" (#1), when.text.regex: bad regular expression 'order (\\\\d+': "
        "missing ), unterminated subpattern at position 6"
    ]


def test_unknown_condition_field_suggests_the_closest() -> None:
    problems = problems_of("- {name: Typo, when: {chanel: sms}, then: []}")

    assert problems == [
        "rule \"Typo\" (#1), when.chanel: unknown condition field 'chanel' (did you mean 'channel'?)"
    ]


def test_unknown_department_is_reported_with_the_known_ones() -> None:
    problems = problems_of(
        "- {name: Old, then: [{set_department: sales}]}", department_ids=["billing", "support"]
    )

    assert problems == [
        "rule \"Old\" (#1), then[0].set_department: unknown department 'sales' (known: billing, support)"
    ]


def test_unknown_agent_is_reported() -> None:
    problems = problems_of("- {name: Key, then: [{assign_agent: ghost}]}", agent_ids=["u-1"])

    assert problems == ["rule \"Key\" (#1), then[0].assign_agent: unknown agent 'ghost'"]


def test_unknown_action_is_reported_with_suggestion() -> None:
    problems = problems_of("- {name: A, then: [{set_dept: billing}]}")

    assert problems[0].startswith(
        "rule \"A\" (#1), then[0].set_dept: unknown action 'set_dept' (did you mean"
    )


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (
            "{name: A, enabled: maybe, then: []}",
            "rule \"A\" (#1), enabled: expected true or false, got 'maybe'",
        ),
        ("{name: A, order: first, then: []}", "rule \"A\" (#1), order: expected a whole number, got 'first'"),
        (
            "{name: A, then: [{set_priority: asap}]}",
            "rule \"A\" (#1), then[0].set_priority: unknown priority 'asap'",
        ),
        (
            "{name: A, when: {vip: 'yes please'}, then: []}",
            "rule \"A\" (#1), when.vip: 'is' needs true or false",
        ),
        ("{name: A, when: {channel: {eq: {a: 1}}}, then: []}", 'rule "A" (#1), when.channel.eq: wrong type'),
        (
            "{name: A, when: {channel: {equals: sms}}, then: []}",
            'rule "A" (#1), when.channel.equals: unknown operator',
        ),
        (
            "{name: A, when: {attributes.seats: {gt: lots}}, then: []}",
            'rule "A" (#1), when.attributes.seats.gt:',
        ),
        ("{name: A}", 'rule "A" (#1), then: missing'),
        ("{name: A, then: [], colour: red}", 'rule "A" (#1), colour: unknown key'),
        ("{then: []}", "rule #1, name: missing"),
        ("{name: no, then: []}", "rule #1, name: got false: YAML reads yes/no/on/off as true/false"),
        ("just text", "rule #1: expected a mapping"),
    ],
)
def test_wrong_types_are_reported_clearly(rule: str, problem: str) -> None:
    problems = problems_of(f"- {rule}")

    assert any(p.startswith(problem) for p in problems), problems


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    text = """
- {name: One, when: {chanel: sms}, then: []}
- {name: Two, then: [{set_priority: asap}]}
- {name: Three, then: []}
- {name: three, then: []}
"""
    problems = problems_of(text)

    assert [p.split(",")[0] for p in problems] == ['rule "One" (#1)', 'rule "Two" (#2)', 'rule "three" (#4)']
    assert problems[2] == 'rule "three" (#4), id: \'three\' is already used by rule "Three" (#3)'


def test_invalid_yaml_is_reported() -> None:
    assert problems_of("- {name: [unclosed")[0].startswith("not valid YAML:")


def test_empty_file_has_no_rules() -> None:
    assert rules_from_yaml("") == ()


def test_rules_version_changes_with_content_only() -> None:
    rules = rules_from_yaml(DEMO_RULES)
    edited = rules_from_yaml(DEMO_RULES.replace("set_priority: high", "set_priority: urgent"))

    assert rules_version(rules) == rules_version(rules_from_yaml(rules_to_yaml(rules)))
    assert rules_version(rules) != rules_version(edited)
    assert len(rules_version(rules)) == 12


def test_reference_problems_find_rules_pointing_at_deleted_departments() -> None:
    rules = rules_from_yaml(DEMO_RULES)

    assert reference_problems(rules, department_ids={"support"}, agent_ids=set()) == [
        "rule \"Billing words go to Billing\": department 'billing' no longer exists"
    ]
