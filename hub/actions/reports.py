"""Reports (issue 14): who may see which numbers, and the query string turned into a ReportFilter.

Admins see every department; leads the departments they belong to; agents only their own work. A filter
outside that scope is a 403; a bad date, zone, bucket or metric a 400 with a sentence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Final, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.clock import utcnow
from hub.errors import BadInput, Forbidden
from hub.metrics.buckets import BUCKETS, Bucket
from hub.store import report_backlog, report_drill, report_queries
from hub.store.db import Db, Doc, oid
from hub.store.report_queries import ReportFilter

DEFAULT_DAYS: Final = 30
MAX_DAYS: Final = 732
PRIORITIES: Final = ("low", "normal", "high", "urgent")
SERIES: Final = (*report_queries.METRICS, "backlog")  # backlog: open, pending and snoozed at each bucket's end


@dataclass(frozen=True, slots=True)
class ReportQuery:
    where: ReportFilter
    tz: tzinfo
    tz_name: str
    first_day: date
    last_day: date


def _day(raw: str | None, name: str, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadInput(f"'{name}' must be a date such as 2026-03-01, not {raw!r}", name) from None


def zone(raw: str | None) -> tuple[tzinfo, str]:
    name = (raw or "UTC").strip() or "UTC"
    try:
        return ZoneInfo(name), name
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(f"'tz' must be a time zone name such as Europe/Berlin or Asia/Tehran, not {name!r}",
                       "tz") from None


def _text(raw: str | None, name: str) -> str | None:
    if raw is None or not raw.strip():
        return None
    if len(raw) > 200:
        raise BadInput(f"'{name}' is at most 200 characters", name)
    return raw.strip()


def parse(user: Doc, params: Mapping[str, str], today: date) -> ReportQuery:
    tz, tz_name = zone(params.get("tz"))
    last = _day(params.get("to"), "to", today)
    first = _day(params.get("from"), "from", last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise BadInput("'from' must be on or before 'to'", "from")
    if (last - first).days >= MAX_DAYS:
        raise BadInput(f"a report covers at most {MAX_DAYS} days; narrow 'from' and 'to'", "from")
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    departments: tuple[Any, ...] | None = None
    if params.get("department"):
        department = oid(params["department"])
        if department is None:
            raise BadInput("'department' must be a department id", "department")
        departments = (department,)
    agent = None
    if params.get("agent"):
        agent = user["_id"] if params["agent"] == "me" else oid(params["agent"])
        if agent is None:
            raise BadInput("'agent' must be a user id or 'me'", "agent")
    priority = _text(params.get("priority"), "priority")
    if priority is not None and priority not in PRIORITIES:
        raise BadInput(f"'priority' must be one of {', '.join(PRIORITIES)}", "priority")
    departments, agent = _scoped(user, departments, agent)
    where = ReportFilter(start, end, departments, agent, _text(params.get("channel"), "channel"),
                         _text(params.get("label"), "label"), priority)
    return ReportQuery(where, tz, tz_name, first, last)


def _scoped(user: Doc, departments: tuple[Any, ...] | None, agent: Any) -> tuple[tuple[Any, ...] | None, Any]:
    role = user.get("role")
    if role == "admin":
        return departments, agent
    if role == "lead":
        own = tuple(user.get("department_ids") or ())
        if departments is not None and not set(departments) <= set(own):
            raise Forbidden("you lead other departments: reports cover only yours")
        return (departments if departments is not None else own), agent
    if agent is not None and agent != user["_id"]:
        raise Forbidden("agents see their own reports only")
    return departments, user["_id"]


def metric_and_bucket(params: Mapping[str, str]) -> tuple[str, Bucket]:
    metric = params.get("metric") or "created"
    if metric not in SERIES:
        raise BadInput(f"'metric' must be one of {', '.join(SERIES)}", "metric")
    bucket = params.get("bucket") or "day"
    if bucket not in BUCKETS:
        raise BadInput(f"'bucket' must be one of {', '.join(BUCKETS)}", "bucket")
    return metric, cast(Bucket, bucket)


def drill(params: Mapping[str, str]) -> tuple[str, int | None]:
    """The metric (and for ratings an optional score) whose conversations a drill-down lists."""
    metric = params.get("metric") or "created"
    if metric not in report_drill.DRILLS:
        raise BadInput(f"'metric' must be one of {', '.join(report_drill.DRILLS)}", "metric")
    raw = (params.get("score") or "").strip()
    if not raw:
        return metric, None
    if metric != "csat" or raw not in {"1", "2", "3", "4", "5"}:
        raise BadInput("'score' is a whole number from 1 to 5, with metric=csat only", "score")
    return metric, int(raw)


async def behind_data(db: Db, query: ReportQuery, params: Mapping[str, str]) -> dict[str, Any]:
    metric, score = drill(params)
    found = await report_drill.conversations_behind(db, query.where, metric, score)
    rows = [{"id": c["_id"], "url": f"/inbox/c/{c['_id']}", "contact_name": c.get("contact_name"),
             "status": c.get("status"), "channel": c.get("last_channel"), "priority": c.get("priority"),
             "department_id": c.get("department_id"), "assignee_id": c.get("assignee_id"),
             "created_at": c.get("created_at")} for c in found.conversations]
    return {"filter": echo(query), "metric": metric, "score": score, "total": found.total,
            "shown": len(rows), "conversations": rows}


def echo(query: ReportQuery) -> Doc:
    """The filter as the report understood it, sent back with every answer."""
    where = query.where
    return {"from": query.first_day.isoformat(), "to": query.last_day.isoformat(), "tz": query.tz_name,
            "departments": list(where.department_ids) if where.department_ids is not None else None,
            "agent": where.agent_id, "channel": where.channel, "label": where.label, "priority": where.priority}


async def overview_data(db: Db, query: ReportQuery) -> dict[str, Any]:
    where = query.where
    # Independent reads: in flight together.
    numbers, backlog = await asyncio.gather(report_queries.overview(db, where, query.tz),
                                            report_queries.backlog(db, where))
    since = backlog.get("oldest_waiting_since")
    backlog["oldest_waiting_seconds"] = None if since is None else max(0.0, (utcnow() - since).total_seconds())
    return {"filter": echo(query), "counts": numbers["counts"], "speed": numbers["speed"], "backlog": backlog,
            "heat_map": numbers["heat_map"]}


async def timeseries_data(db: Db, query: ReportQuery, params: dict[str, str]) -> dict[str, Any]:
    metric, bucket = metric_and_bucket(params)
    if metric == "backlog":
        points = await report_backlog.backlog_series(db, query.where, bucket, query.tz)
    else:
        points = await report_queries.timeseries(db, query.where, metric, bucket, query.tz)
    return {"filter": echo(query), "metric": metric, "bucket": bucket, "points": points}
