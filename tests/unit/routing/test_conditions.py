from __future__ import annotations

from datetime import UTC, datetime

import pytest

from routing.conditions import Facts, condition_problems, evaluate
from routing.model import (
    AnyOf,
    Condition,
    ConditionNode,
    ConditionValue,
    ContactSnapshot,
    ConversationSnapshot,
    Not,
    RoutingEvent,
)
from routing.text import normalize_text
from tests.unit.routing.builders import NOW, TEHRAN_WEEK, contact, conversation, department, event


def facts(
    text: str = "",
    *,
    routing_event: RoutingEvent | None = None,
    who: ContactSnapshot | None = None,
    convo: ConversationSnapshot | None = None,
    now: datetime = NOW,
) -> Facts:
    office = department("office", hours=TEHRAN_WEEK)
    return Facts.gather(
        routing_event or event(text),
        convo or conversation(),
        who or contact(),
        now,
        {"office": office},
        office,
    )


def holds(node: ConditionNode, context: Facts) -> bool:
    return evaluate(node, context).matched


def keywords(*words: str) -> Condition:
    return Condition("text", "keywords", words)


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("كتاب", "این کتاب را می‌خواهم"),  # Arabic kaf/yeh in the rule, Persian letters in the message
        ("کتاب", "الكتاب"),  # and the other way round, with the article attached
        ("فاتورة", "أين الفاتورةُ؟"),  # harakat and teh marbuta ignored
        ("فاتورة", "بالفاتوره"),  # bi- + al- prefixes
        ("فاکتور", "فاکتورها رسید؟"),  # Persian plural suffix
        ("میخواهم", "من می‌خواهم"),  # zero-width non-joiner ignored
        ("REFUND", "I want a refund."),
        ("refund", "ＲＥＦＵＮＤ please"),  # full-width letters folded by NFKC
        ("straße", "STRASSE"),  # casefold, not lower
        ("发票", "我的发票在哪里"),  # Chinese has no spaces: found as a substring
        ("hóa đơn", "Tôi cần HÓA ĐƠN"),
        ("refund*", "refunded twice"),
    ],
)
def test_keyword_matches_across_scripts_and_spellings(keyword: str, text: str) -> None:
    assert holds(keywords(keyword), facts(text))


@pytest.mark.parametrize(
    ("keyword", "text"), [("refund", "non-refundable"), ("car", "card"), ("بان", "بانک")]
)
def test_keyword_matches_whole_words_only(keyword: str, text: str) -> None:
    assert not holds(keywords(keyword), facts(text))


def test_keyword_miss_says_which_keywords_were_tried() -> None:
    verdict = evaluate(keywords("invoice", "bill"), facts("hello"))

    assert verdict.reason == "text has none of the keywords ['invoice', 'bill']"


def test_regex_is_case_insensitive_and_script_aware() -> None:
    assert holds(Condition("text", "regex", r"order\s*#?\d{5}"), facts("ORDER #12345 is late"))
    assert holds(Condition("text", "regex", "سفارش ?[0-9]+"), facts("سفارش ۱۲۳۴"))  # Persian digits
    assert holds(Condition("text", "regex", "^كيف"), facts("کیف حالک"))


def test_normalize_text_strips_diacritics_and_unifies_letters() -> None:
    assert normalize_text("  مُحَمَّد  ـــ  إسلام ي ك ") == "محمد اسلام ی ک"


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("attributes.plan", "eq", "Gold", True),
        ("attributes.plan", "in", ("silver", "gold"), True),
        ("attributes.plan", "ne", "gold", False),
        ("attributes.seats", "gt", 40, True),
        ("attributes.seats", "lte", 40, False),
        ("attributes.spend", "gte", 1000, True),  # stored as text "1200.50"
        ("attributes.regions", "contains", "EU", True),
        ("attributes.missing", "eq", "x", False),
        ("attributes.missing", "exists", False, True),
        ("attributes.plan", "gt", 3, False),  # not a number
    ],
)
def test_contact_attribute_conditions(field: str, op: str, value: ConditionValue, expected: bool) -> None:
    who = contact(attributes={"plan": "gold", "seats": 42, "spend": "1200.50", "regions": ["eu", "us"]})

    assert holds(Condition(field, op, value), facts(who=who)) is expected


def test_missing_attribute_explains_itself() -> None:
    verdict = evaluate(Condition("attributes.plan", "eq", "gold"), facts())

    assert verdict.reason == "contact has no attribute 'plan'"


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [("contains", "VIP", True), ("any", ("x", "b2b"), True), ("all", ("vip", "x"), False)],
)
def test_tag_conditions(op: str, value: ConditionValue, expected: bool) -> None:
    who = contact(tags=frozenset({"vip", "b2b"}))

    assert holds(Condition("tags", op, value), facts(who=who)) is expected


def test_none_of_labels() -> None:
    labelled = conversation(labels=frozenset({"spam"}))

    assert not holds(Condition("labels", "none", ("spam", "test")), facts(convo=labelled))
    assert holds(Condition("labels", "none", ("test",)), facts(convo=labelled))


def test_vip_flag_channel_and_source() -> None:
    context = facts(
        routing_event=event("x", channel="Telegram", source="pricing-page"), who=contact(vip=True)
    )

    assert holds(Condition("vip", "is", True), context)
    assert holds(Condition("channel", "eq", "telegram"), context)
    assert not holds(Condition("channel", "in", ("sms", "whatsapp")), context)
    assert holds(Condition("source", "contains", "pricing"), context)


def test_language_falls_back_to_contact_language() -> None:
    context = facts(routing_event=event("ok"), who=contact(language="fa"))

    assert holds(Condition("language", "eq", "fa"), context)


def test_priority_compares_by_rank() -> None:
    urgent = facts(convo=conversation(priority="urgent"))
    low = facts(convo=conversation(priority="low"))

    assert holds(Condition("priority", "gte", "high"), urgent)
    assert not holds(Condition("priority", "gte", "high"), low)


def test_business_hours_in_and_out() -> None:
    evening = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)  # 18:30 in Tehran

    assert holds(Condition("business_hours", "eq", "in"), facts(now=NOW))
    assert holds(Condition("business_hours", "eq", "out"), facts(now=evening))
    assert holds(Condition("business_hours.office", "eq", "out"), facts(now=evening))
    assert evaluate(Condition("business_hours", "eq", "in"), facts(now=evening)).reason == (
        "Office is out of business hours"
    )


def test_any_and_not_combine_conditions() -> None:
    either = AnyOf((Condition("channel", "eq", "sms"), Condition("channel", "eq", "whatsapp")))

    assert holds(either, facts())
    assert not holds(Not(either), facts())


@pytest.mark.parametrize(
    ("condition", "problem"),
    [
        (
            Condition("text", "regex", "(unclosed"),
            "bad regular expression '(unclosed': missing ), unterminated",
        ),
        (Condition("channel", "gt", "sms"), "operator 'gt' does not apply to 'channel'"),
        (Condition("attributes.seats", "gt", "many"), "'gt' needs a number, got 'many'"),
        (Condition("priority", "eq", "critical"), "unknown priority 'critical'"),
        (Condition("business_hours", "eq", "closed"), "business hours are 'in' or 'out', got 'closed'"),
        (Condition("tags", "any", ()), "'any' needs a non-empty list"),
        (Condition("vip", "is", "yes"), "'is' needs true or false"),
        (Condition("colour", "eq", "red"), "unknown condition field 'colour'"),
    ],
)
def test_condition_problems_are_readable(condition: Condition, problem: str) -> None:
    assert any(p.startswith(problem) for p in condition_problems(condition)), condition_problems(condition)


def test_valid_condition_has_no_problems() -> None:
    assert condition_problems(Condition("text", "keywords", ("invoice", "فاتورة"))) == []
