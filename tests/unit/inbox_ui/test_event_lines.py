"""Timeline events as one human line, and the header's name for a customer (never a visitor's token)."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from hub.store.documents import Contact, Conversation
from inbox_ui import view_models as views


def said(line: views.Line | None) -> str:
    """The line as an English page prints it (the template's `_` with no catalogue)."""
    assert line is not None
    return " — ".join(p.text.format(**p.values) for p in line)


def decision(agent: str | None = None, tie_break: str = "", rules: list[dict[str, Any]] | None = None,
             **more: Any) -> dict[str, Any]:
    return {"explanation": {"department": {"name": "Support", "reason": "policy default"}, "rules": rules or [],
                            "agent": {"id": "a1", "name": agent} if agent else None, "tie_break": tie_break,
                            "rules_version": "v7"}, **more}


def test_a_queued_decision_says_where_it_went_which_rule_and_that_it_waits() -> None:
    no_match = [{"name": "VIP", "outcome": "no_match", "reason": "tag vip absent"}]
    assert said(views.routing_line(decision(rules=no_match))) == (
        "Routed to Support — no rule matched — waiting for an agent")
    matched = [{"name": "Billing words", "outcome": "matched", "reason": "text has 'invoice'"}]
    assert said(views.routing_line(decision(rules=matched, department_open=False))) == (
        "Routed to Support — rule “Billing words” matched — outside business hours — waiting for an agent")
    assert said(views.routing_line(decision(tie_break="Support has no agents"))) == (
        "Routed to Support — nobody works in Support yet")
    assert said(views.routing_line(decision(tie_break="Support assigns by hand (manual strategy)"))) == (
        "Routed to Support — waiting for a lead to assign it")


def test_an_assignment_says_who_and_the_short_reason_never_scores_or_versions() -> None:
    assert said(views.routing_line(decision("Ana", "balanced: Ana has the fewest open conversations (0)"))) == (
        "Assigned to Ana — least busy in Support")
    assert said(views.routing_line(decision("Ana", "round robin: Ana is next in rotation (never assigned)"))) == (
        "Assigned to Ana — next in turn in Support")
    assert said(views.routing_line(decision("Ana", "sticky: returned to previous agent Ana"))) == (
        "Assigned to Ana — their previous agent")
    assert said(views.routing_line(decision("Ana", "already assigned to Ana"))) == "Stays with Ana — in Support"
    line = said(views.routing_line(decision("Ana", "balanced: 2 agents tied at 0 open conversations; …"), by="sla"))
    assert line == "After the SLA breach — Assigned to Ana — least busy in Support"
    assert "v7" not in line and "0" not in line


def test_a_record_holding_only_a_summary_keeps_its_stored_text() -> None:
    assert views.routing_line({"explanation": {"summary": "routing configuration unreadable"}}) is None
    assert views.event_line({"type": "webhook_note", "status": "resolved"}, "Ana", views.Names()) is None


def test_transfers_and_reassignments_name_the_people_and_departments_by_id() -> None:
    billing, sara = ObjectId(), ObjectId()
    names = views.Names({billing: "Billing"}, {sara: "Sara"})
    queued = {"type": "transfer", "to_department": billing, "to_assignee": None, "note": "double charge"}
    assert said(views.event_line(queued, "Lena", names)) == "Lena transferred this to Billing — waiting for an agent"
    taken = {**queued, "to_assignee": sara}
    assert said(views.event_line(taken, "Lena", names)) == "Lena transferred this to Billing — assigned to Sara"
    moved = {"type": "assignment", "assignee_id": sara, "by": ObjectId()}
    assert said(views.event_line(moved, "Lena", names)) == "Lena assigned this to Sara"
    assert said(views.event_line({"type": "assignment", "assignee_id": None}, "Lena", names)) == "Lena unassigned this"
    freed = {"type": "assignment", "assignee_id": sara, "by": "routing"}
    assert said(views.event_line(freed, None, names)) == "Assigned to Sara — their capacity freed up"
    assert views.event_line({**moved, "assignee_id": ObjectId()}, "Lena", names) is None  # unknown person: as stored
    assert views.assignee_ids([{"data": taken}, {"data": moved}, {"data": {"type": "status"}}]) == {sara}


def test_a_nameless_visitor_is_a_web_visitor_with_their_email_or_city_and_never_their_token() -> None:
    token = "3f9a2c7e1b5d4c0a9e8f"
    conversation: Conversation = {"_id": ObjectId(), "contact_name": f"Visitor {token[:6]}", "channels": ["webchat"]}
    bare: Contact = {"_id": ObjectId(), "identities": [{"kind": "webchat", "value": token}]}
    assert views.contact_name(bare, conversation) == views.ContactName("", True, None)
    with_city: Contact = {**bare, "attributes": {"city": "Shiraz"}}
    assert views.contact_name(with_city, conversation).hint == "Shiraz"
    with_email: Contact = {**with_city, "identities": [*bare["identities"], {"kind": "email", "value": "g@x.test"}]}
    assert views.contact_name(with_email, conversation).hint == "g@x.test"
    assert views.contact_name({**bare, "name": "Mina"}, conversation) == views.ContactName("Mina", False, None)
    header = views.ConversationHeader.of(conversation, with_email, [], {}, {})
    assert header.visitor and [i.kind for i in header.identities] == ["email"]
    assert [c.icon for c in header.channels] == ["message-square"]
    card = views.ContactCard.of(with_email, conversation, [{"key": "city", "label": "City"}])
    assert [(i.kind, i.value) for i in card.identities] == [("webchat", None), ("email", "g@x.test")]
    assert card.fields == (("City", "Shiraz"),)


def test_a_rating_reads_as_the_customer_s_score_with_their_comment_and_a_broken_one_as_stored() -> None:
    names = views.Names()
    [head] = views.event_line({"type": "rating", "score": 2}, None, names) or ()
    assert (head.text, head.values) == ("The customer rated this conversation {score} of 5", {"score": "2"})
    line = views.event_line({"type": "rating", "score": 5, "comment": "quick, thanks"}, None, names)
    assert line is not None and line[1].values == {"comment": "quick, thanks"}
    assert views.event_line({"type": "rating", "score": True}, None, names) is None
    assert views.event_line({"type": "rating"}, None, names) is None


def test_status_priority_claims_and_breaches_read_as_sentences_and_unknown_values_as_stored() -> None:
    from datetime import UTC, datetime

    names = views.Names()
    until = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)

    def texts(data: dict[str, Any], actor: str | None = "Lena") -> list[str] | None:
        line = views.event_line(data, actor, names)
        return [p.text for p in line] if line is not None else None

    assert texts({"type": "status", "status": "resolved"}) == ["{actor} resolved this"]
    assert texts({"type": "status", "status": "open", "by": "snooze"}, None) == [
        "The snooze ended; the conversation is open again"]
    [snoozed] = views.event_line({"type": "status", "status": "snoozed", "until": until}, "Lena", names) or ()
    assert snoozed.text == "{actor} snoozed this until {until}" and snoozed.instants == {"until": until}
    assert texts({"type": "status", "status": "archived"}) is None
    assert texts({"type": "status", "status": "resolved"}, None) is None  # nobody to name: as stored
    assert texts({"type": "priority", "priority": "urgent"}) == ["{actor} set the priority to urgent"]
    assert texts({"type": "priority", "priority": "extreme"}) is None
    assert texts({"type": "reopened"}, None) == ["Reopened by the customer's reply"]
    assert texts({"type": "claim_verified", "value": "g@x.test"}) == ["{actor} verified that this customer is {value}"]
    assert texts({"type": "sla_breach", "target": "resolution", "notified": "x"}) == [
        "SLA breach: not resolved in time", "the team lead was notified"]
    assert texts({"type": "autoreply", "sent": False}, None) == ["Auto-reply not sent"]


def test_a_moment_in_a_sentence_becomes_a_time_element_and_the_rest_stays_escaped() -> None:
    from datetime import UTC, datetime

    from inbox_ui.filters import with_times

    at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
    html = with_times("<b>Lena</b> snoozed this until \x00until\x00", {"until": at})
    assert html == ('&lt;b&gt;Lena&lt;/b&gt; snoozed this until <time data-absolute '
                    'datetime="2026-12-03T09:30:00+00:00">2026-12-03 09:30 UTC</time>')


def test_a_nameless_visitor_s_row_says_web_visitor_and_a_named_one_keeps_the_name() -> None:
    token_label = {"_id": ObjectId(), "contact_name": "Visitor 3f9a2c", "last_channel": "webchat"}
    [row] = views.conversation_rows([token_label], {}, {})
    assert row.visitor
    [named] = views.conversation_rows([{**token_label, "contact_name": "Mina"}], {}, {})
    assert not named.visitor and named.contact_name == "Mina"
    [sms] = views.conversation_rows([{**token_label, "last_channel": "sms"}], {}, {})
    assert not sms.visitor  # a stored label on another channel is shown as it is


def test_a_comment_after_the_rating_reads_as_the_customer_s_comment() -> None:
    names = views.Names()
    line = views.event_line({"type": "rating_comment", "score": 4, "comment": "سریع بود، ممنون"}, None, names)
    assert line is not None
    assert line[0].text == "The customer commented on their rating"
    assert line[1].values == {"comment": "سریع بود، ممنون"}
    assert views.event_line({"type": "rating_comment", "comment": "  "}, None, names) is None
