"""Departments to and from plain dicts (MongoDB documents, YAML), validated with readable messages.

id: billing
name: Billing
strategy: balanced            # balanced | round_robin | manual
fallback_after: 300           # seconds before language and skill needs are dropped
lead_id: u-lead
autoreply: {in_hours: billing_ack, out_of_hours: billing_closed}
hours:
  timezone: Asia/Tehran
  weekly: {sat: ["09:00-17:00"], sun: ["09:00-12:30", "13:30-17:00"], wed: ["22:00-06:00"]}
  holidays: ["2025-03-21"]
sla:
  high: {first_response: 900, resolution: 14400, escalation: raise_priority}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any

from routing.errors import DepartmentValidationError
from routing.hours import known_timezone
from routing.model import (
    ESCALATIONS,
    PRIORITIES,
    STRATEGIES,
    BusinessHours,
    Department,
    SlaTarget,
    TimeRange,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEPARTMENT_KEYS = (
    "_id",
    "id",
    "name",
    "strategy",
    "fallback_after",
    "sticky",
    "lead_id",
    "autoreply",
    "hours",
    "sla",
)
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _clock(hour: str, minute: str, *, end: bool) -> time | None:
    h, m = int(hour), int(minute)
    if end and (h, m) == (24, 0):
        return time(0, 0)  # "24:00" closes at midnight; an end <= start runs into the next day
    return time(h, m) if h < 24 and m < 60 else None


def _time_range(text: object) -> TimeRange | None:
    match = _RANGE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    start, end = _clock(match[1], match[2], end=False), _clock(match[3], match[4], end=True)
    return None if start is None or end is None else TimeRange(start, end)


def _hours(raw: object, bad: list[str]) -> BusinessHours | None:
    if not isinstance(raw, Mapping):
        bad.append(f"hours: expected a mapping with timezone, weekly and holidays, got {raw!r}")
        return None
    zone_name = raw.get("timezone", "UTC")
    if not isinstance(zone_name, str) or not known_timezone(zone_name):
        bad.append(f"hours.timezone: unknown time zone {zone_name!r} (use a name such as 'Asia/Tehran')")
    weekly: dict[int, tuple[TimeRange, ...]] = {}
    schedule = raw.get("weekly", {})
    if not isinstance(schedule, Mapping):
        bad.append("hours.weekly: expected a mapping of day -> list of 'HH:MM-HH:MM'")
        schedule = {}
    for day, spans in schedule.items():
        key = str(day).strip().casefold()[:3]
        if key not in DAYS:
            bad.append(f"hours.weekly.{day}: unknown day (use {', '.join(DAYS)})")
            continue
        items = [spans] if isinstance(spans, str) else spans if isinstance(spans, list) else [spans]
        ranges = [_time_range(item) for item in items]
        for item, parsed in zip(items, ranges, strict=True):
            if parsed is None:
                bad.append(f"hours.weekly.{day}: {item!r} is not a time range like '09:00-17:00'")
        weekly[DAYS.index(key)] = tuple(r for r in ranges if r is not None)
    holidays: set[date] = set()
    for item in raw.get("holidays", []) or []:
        try:
            holidays.add(item if isinstance(item, date) else date.fromisoformat(str(item)))
        except ValueError:
            bad.append(f"hours.holidays: {item!r} is not a date like 2025-03-21")
    extra = sorted(set(map(str, raw)) - {"timezone", "weekly", "holidays"})
    if extra:
        bad.append(f"hours.{extra[0]}: unknown key (use timezone, weekly, holidays)")
    return BusinessHours(str(zone_name), weekly, frozenset(holidays))


def _seconds(value: object, path: str, bad: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    bad.append(f"{path}: expected a number of seconds, got {value!r}")
    return None


def _sla(raw: object, bad: list[str]) -> dict[str, SlaTarget]:
    if not isinstance(raw, Mapping):
        bad.append("sla: expected a mapping of priority -> {first_response, resolution, escalation}")
        return {}
    targets: dict[str, SlaTarget] = {}
    for priority, spec in raw.items():
        if priority not in PRIORITIES:
            bad.append(f"sla.{priority}: unknown priority (use {', '.join(PRIORITIES)})")
            continue
        if not isinstance(spec, Mapping):
            bad.append(f"sla.{priority}: expected a mapping, got {spec!r}")
            continue
        escalation = next((e for e in ESCALATIONS if e == spec.get("escalation", "notify_lead")), None)
        if escalation is None:
            bad.append(f"sla.{priority}.escalation: use one of {', '.join(ESCALATIONS)}")
            continue
        first = _seconds(spec.get("first_response"), f"sla.{priority}.first_response", bad)
        resolution = _seconds(spec.get("resolution"), f"sla.{priority}.resolution", bad)
        targets[str(priority)] = SlaTarget(first, resolution, escalation)
    return targets


def _optional_text(raw: Mapping[str, Any], key: str, path: str, bad: list[str]) -> str | None:
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value or None
    bad.append(f"{path}: expected text, got {value!r}")
    return None


def department_from_dict(raw: Mapping[str, Any]) -> Department:
    """Raises DepartmentValidationError listing every problem, each prefixed with the department."""
    bad: list[str] = []
    department_id = raw.get("id", raw.get("_id"))
    if not isinstance(department_id, str) or not department_id.strip():
        bad.append("id: missing (every department needs an id)")
        department_id = ""
    for key in raw:
        if key not in DEPARTMENT_KEYS:
            bad.append(f"{key}: unknown key (use {', '.join(DEPARTMENT_KEYS[1:])})")
    name = _optional_text(raw, "name", "name", bad) or department_id
    strategy = next((s for s in STRATEGIES if s == raw.get("strategy", "balanced")), None)
    if strategy is None:
        bad.append(f"strategy: {raw.get('strategy')!r} is not one of {', '.join(STRATEGIES)}")
    fallback = _seconds(raw.get("fallback_after", 300), "fallback_after", bad)
    sticky = raw.get("sticky", True)
    if not isinstance(sticky, bool):
        bad.append(f"sticky: expected true or false, got {sticky!r}")
    replies = raw.get("autoreply") or {}
    if not isinstance(replies, Mapping):
        bad.append("autoreply: expected {in_hours: template, out_of_hours: template}")
        replies = {}
    hours = None if raw.get("hours") is None else _hours(raw["hours"], bad)
    sla = _sla(raw.get("sla") or {}, bad)
    lead = _optional_text(raw, "lead_id", "lead_id", bad)
    in_hours = _optional_text(replies, "in_hours", "autoreply.in_hours", bad)
    out_hours = _optional_text(replies, "out_of_hours", "autoreply.out_of_hours", bad)
    if bad:
        raise DepartmentValidationError([f"department {department_id or '?'}, {message}" for message in bad])
    return Department(
        id=department_id,
        name=name,
        hours=hours,
        autoreply_in_hours=in_hours,
        autoreply_out_of_hours=out_hours,
        strategy=strategy or "balanced",
        fallback_after=300.0 if fallback is None else fallback,
        sticky=bool(sticky),
        lead_id=lead,
        sla=sla,
    )


def departments_from_dicts(items: Iterable[Mapping[str, Any]]) -> dict[str, Department]:
    problems: list[str] = []
    departments: dict[str, Department] = {}
    for raw in items:
        try:
            department = department_from_dict(raw)
        except DepartmentValidationError as exc:
            problems.extend(exc.messages)
            continue
        departments[department.id] = department
    if problems:
        raise DepartmentValidationError(problems)
    return departments


def _span(span: TimeRange) -> str:
    end = "24:00" if span.end == time(0, 0) and span.start == time(0, 0) else span.end.strftime("%H:%M")
    return f"{span.start.strftime('%H:%M')}-{end}"


def department_to_dict(department: Department) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": department.id,
        "name": department.name,
        "strategy": department.strategy,
        "fallback_after": department.fallback_after,
        "sticky": department.sticky,
        "lead_id": department.lead_id,
        "autoreply": {
            "in_hours": department.autoreply_in_hours,
            "out_of_hours": department.autoreply_out_of_hours,
        },
        "sla": {
            priority: {
                "first_response": t.first_response,
                "resolution": t.resolution,
                "escalation": t.escalation,
            }
            for priority, t in department.sla.items()
        },
    }
    if department.hours is not None:
        out["hours"] = {
            "timezone": department.hours.timezone,
            "weekly": {
                DAYS[day]: [_span(s) for s in spans] for day, spans in sorted(department.hours.weekly.items())
            },
            "holidays": sorted(day.isoformat() for day in department.hours.holidays),
        }
    return out
