from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from routing.model import Department, Escalation, SlaTarget
from routing.sla import breaches, sla_due
from tests.unit.routing.builders import NOW, TEHRAN_WEEK, conversation, minutes_ago


def desk(escalation: Escalation = "notify_lead") -> dict[str, Department]:
    targets = {
        "normal": SlaTarget(first_response=600, resolution=3600, escalation=escalation),
        "urgent": SlaTarget(first_response=60, escalation=escalation),
    }
    return {"support": Department("support", "Support", lead_id="lead-1", sla=targets)}


def test_due_times_follow_department_and_priority() -> None:
    started = conversation(created_at=minutes_ago(0), department_id="support")

    due = sla_due(started, desk()["support"])

    assert due.first_response_due == NOW + timedelta(minutes=10)
    assert due.resolution_due == NOW + timedelta(hours=1)


def test_first_response_breach_notifies_the_lead() -> None:
    late = conversation("late", created_at=minutes_ago(15), department_id="support")

    (breach,) = breaches([late], desk(), NOW)

    assert (breach.target, breach.escalation, breach.notify_user_id) == (
        "first_response",
        "notify_lead",
        "lead-1",
    )
    assert breach.overdue_by == 300
    assert breach.reason == "first response was due 5m ago (normal in Support)"


def test_raise_priority_escalation_names_the_new_priority() -> None:
    late = conversation("late", created_at=minutes_ago(15), department_id="support")

    (breach,) = breaches([late], desk("raise_priority"), NOW)

    assert breach.new_priority == "high"


def test_reassign_escalation_excludes_the_current_assignee() -> None:
    late = conversation("late", created_at=minutes_ago(15), department_id="support", assignee_id="ana")
    queued = conversation("queued", created_at=minutes_ago(15), department_id="support")

    by_id = {b.conversation_id: b for b in breaches([late, queued], desk("reassign"), NOW)}

    assert (by_id["late"].escalation, by_id["late"].exclude_agent_id) == ("reassign", "ana")
    assert by_id["queued"].escalation == "notify_lead"


def test_answered_resolved_and_already_escalated_conversations_are_quiet() -> None:
    answered = conversation("a", created_at=minutes_ago(15), department_id="support", first_response_at=NOW)
    resolved = conversation("r", created_at=minutes_ago(90), department_id="support", status="resolved")
    escalated = conversation(
        "e", created_at=minutes_ago(15), department_id="support", sla_escalated=frozenset({"first_response"})
    )

    assert breaches([answered, resolved, escalated], desk(), NOW) == []


def test_most_overdue_comes_first_and_resolution_is_tracked_separately() -> None:
    urgent = conversation("u", created_at=minutes_ago(3), department_id="support", priority="urgent")
    old = conversation(
        "o", created_at=minutes_ago(70), department_id="support", first_response_at=minutes_ago(65)
    )

    found = [(b.conversation_id, b.target) for b in breaches([urgent, old], desk(), NOW)]

    assert found == [("o", "resolution"), ("u", "first_response")]


def test_a_past_snooze_moves_the_due_times_back_by_its_length() -> None:
    snoozed = conversation(created_at=NOW, department_id="support",
                           paused=((NOW + timedelta(minutes=2), NOW + timedelta(minutes=20)),))

    due = sla_due(snoozed, desk()["support"])

    assert due.first_response_due == NOW + timedelta(minutes=28)
    assert due.resolution_due == NOW + timedelta(hours=1, minutes=18)


def test_a_snooze_over_closed_hours_moves_the_due_time_back_only_by_the_open_time_it_covered() -> None:
    # Open 05:30-13:30 UTC (09:00-17:00 in Tehran); created Monday 10:00 UTC with 4 open hours to answer.
    tehran = {"support": Department("support", "Support", hours=TEHRAN_WEEK,
                                    sla={"normal": SlaTarget(first_response=4 * 3600)})}
    plain = conversation(created_at=NOW, department_id="support")
    assert sla_due(plain, tehran["support"]).first_response_due == datetime(2025, 6, 3, 6, 0, tzinfo=UTC)
    overnight = (datetime(2025, 6, 2, 13, 0, tzinfo=UTC), datetime(2025, 6, 3, 5, 0, tzinfo=UTC))  # 30 open minutes
    snoozed = replace(plain, paused=(overnight,))

    assert sla_due(snoozed, tehran["support"]).first_response_due == datetime(2025, 6, 3, 6, 30, tzinfo=UTC)


def test_a_snooze_after_the_due_time_changes_nothing() -> None:
    late = conversation(created_at=NOW, department_id="support",
                        paused=((NOW + timedelta(hours=2), NOW + timedelta(hours=3)),))

    assert sla_due(late, desk()["support"]).first_response_due == NOW + timedelta(minutes=10)
