from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import yaml

from routing.errors import DepartmentValidationError
from routing.hours import is_open
from routing.model import SlaTarget, TimeRange
from routing.policy_io import department_from_dict, department_to_dict, departments_from_dicts

BILLING = yaml.safe_load(
    """
_id: billing
name: Billing
strategy: round_robin
fallback_after: 120
lead_id: u-lead
autoreply: {in_hours: billing_ack, out_of_hours: billing_closed}
hours:
  timezone: Asia/Tehran
  weekly: {sat: ["09:00-17:00"], sun: ["09:00-12:30", "13:30-17:00"], wed: "22:00-24:00"}
  holidays: [2025-03-21]
sla:
  high: {first_response: 900, resolution: 14400, escalation: raise_priority}
"""
)


def test_department_is_parsed_from_a_mongodb_document() -> None:
    billing = department_from_dict(BILLING)

    assert (billing.id, billing.strategy, billing.fallback_after, billing.lead_id) == (
        "billing",
        "round_robin",
        120.0,
        "u-lead",
    )
    assert billing.hours is not None
    assert billing.hours.weekly[6] == (TimeRange(time(9), time(12, 30)), TimeRange(time(13, 30), time(17)))
    assert billing.hours.holidays == frozenset({date(2025, 3, 21)})
    assert billing.sla["high"] == SlaTarget(900.0, 14400.0, "raise_priority")
    assert is_open(billing, datetime(2025, 6, 4, 20, 0, tzinfo=UTC))  # Wednesday 23:30 in Tehran


def test_department_roundtrip() -> None:
    billing = department_from_dict(BILLING)

    assert department_from_dict(department_to_dict(billing)) == billing


def test_every_department_problem_is_reported() -> None:
    broken = {
        "id": "night",
        "strategy": "random",
        "hours": {"timezone": "Mars/Olympus", "weekly": {"mon": ["9-5"], "funday": []}, "holidays": ["soon"]},
        "sla": {"critical": {}},
        "fallback_after": -1,
    }

    with pytest.raises(DepartmentValidationError) as caught:
        departments_from_dicts([broken])

    assert caught.value.messages == [
        "department night, strategy: 'random' is not one of balanced, round_robin, manual",
        "department night, fallback_after: expected a number of seconds, got -1",
        "department night, hours.timezone: unknown time zone 'Mars/Olympus' "
        "(use a name such as 'Asia/Tehran')",
        "department night, hours.weekly.mon: '9-5' is not a time range like '09:00-17:00'",
        "department night, hours.weekly.funday: unknown day (use mon, tue, wed, thu, fri, sat, sun)",
        "department night, hours.holidays: 'soon' is not a date like 2025-03-21",
        "department night, sla.critical: unknown priority (use low, normal, high, urgent)",
    ]
