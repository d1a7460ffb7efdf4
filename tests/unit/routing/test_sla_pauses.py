"""SLA clocks count only the department's business hours, and a snoozed conversation is never reported."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

from routing.hours import after_open_seconds
from routing.model import BusinessHours, Department, SlaTarget, TimeRange
from routing.sla import breaches, sla_due
from tests.unit.routing.builders import conversation

WEEKDAYS = BusinessHours("UTC", {d: (TimeRange(time(9), time(17)),) for d in range(5)})
FRIDAY_4PM = datetime(2025, 6, 6, 16, 0, tzinfo=UTC)


def desk(hours: BusinessHours | None) -> Department:
    return Department("support", "Support", hours=hours,
                      sla={"normal": SlaTarget(first_response=2 * 3600, resolution=10 * 3600)})


def test_a_first_response_target_stops_over_the_weekend() -> None:
    late_friday = conversation(created_at=FRIDAY_4PM, department_id="support")
    due = sla_due(late_friday, desk(WEEKDAYS))
    # One open hour on Friday, the second on Monday from 09:00; resolution: 1 h Friday + 8 h Monday + 1 h Tuesday.
    assert due.first_response_due == datetime(2025, 6, 9, 10, 0, tzinfo=UTC)
    assert due.resolution_due == datetime(2025, 6, 10, 10, 0, tzinfo=UTC)


def test_a_department_without_hours_keeps_wall_clock_targets() -> None:
    due = sla_due(conversation(created_at=FRIDAY_4PM, department_id="support"), desk(None))
    assert due.first_response_due == FRIDAY_4PM + timedelta(hours=2)


def test_a_schedule_that_never_opens_has_no_due_time() -> None:
    assert after_open_seconds(BusinessHours("UTC", {}), FRIDAY_4PM, 60) is None


def test_a_snoozed_conversation_is_not_reported_until_it_wakes() -> None:
    overdue = conversation(created_at=FRIDAY_4PM - timedelta(days=1), department_id="support")
    departments = {"support": desk(None)}
    assert breaches([replace(overdue, status="snoozed")], departments, FRIDAY_4PM) == []
    assert [b.target for b in breaches([overdue], departments, FRIDAY_4PM)] == ["first_response", "resolution"]
