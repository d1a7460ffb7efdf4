"""Reports API (issue 14): overview, time series, agents, SLA and CSAT, and each as CSV.

Every endpoint takes `from`, `to` (ISO dates, whole days in `tz`), `tz`, `department`, `agent`, `channel`,
`label`, `priority`; durations are seconds. Who sees what is hub.actions.reports'.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, Final

from aiohttp import web

from hub import keys
from hub.access.auth import current_user
from hub.actions import reports as report_actions
from hub.clock import utcnow
from hub.errors import BadInput
from hub.http.web import json_response
from hub.runtime import Hub
from hub.store import report_queries

routes = web.RouteTableDef()


def _query(request: web.Request) -> report_actions.ReportQuery:
    params = dict(request.query)
    tz, _ = report_actions.zone(params.get("tz"))
    today: date = utcnow().astimezone(tz).date()
    return report_actions.parse(current_user(request), params, today)


@routes.get("/api/v1/reports/overview")
async def overview(request: web.Request) -> web.Response:
    return json_response(await report_actions.overview_data(request.app[keys.HUB].db, _query(request)))


@routes.get("/api/v1/reports/timeseries")
async def timeseries(request: web.Request) -> web.Response:
    query = _query(request)
    return json_response(await report_actions.timeseries_data(request.app[keys.HUB].db, query, dict(request.query)))


@routes.get("/api/v1/reports/agents")
async def agents(request: web.Request) -> web.Response:
    query = _query(request)
    rows = await report_queries.agents(request.app[keys.HUB].db, query.where, utcnow())
    return json_response({"filter": report_actions.echo(query), "agents": rows})


@routes.get("/api/v1/reports/messages")
async def messages(request: web.Request) -> web.Response:
    query = _query(request)
    found = await report_queries.messages_by(request.app[keys.HUB].db, query.where)
    return json_response({"filter": report_actions.echo(query), **found})


@routes.get("/api/v1/reports/conversations")
async def conversations_behind(request: web.Request) -> web.Response:
    """The conversations behind a number: the same metric names and filters as the reports."""
    found = await report_actions.behind_data(request.app[keys.HUB].db, _query(request), dict(request.query))
    return json_response(found)


@routes.get("/api/v1/reports/sla")
async def sla(request: web.Request) -> web.Response:
    query = _query(request)
    found = await report_queries.sla(request.app[keys.HUB].db, query.where)
    return json_response({"filter": report_actions.echo(query), **found})


@routes.get("/api/v1/reports/csat")
async def csat(request: web.Request) -> web.Response:
    query = _query(request)
    found = await report_queries.csat(request.app[keys.HUB].db, query.where)
    return json_response({"filter": report_actions.echo(query), **found})


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return "" if value is None else value


async def _rows_overview(hub: Hub, query: report_actions.ReportQuery, _: dict[str, str]) -> list[dict[str, Any]]:
    data = await report_actions.overview_data(hub.db, query)
    rows: list[dict[str, Any]] = [{"metric": k, "count": v} for k, v in data["counts"].items()]
    for metric, clocks in data["speed"].items():
        for clock, summary in clocks.items():
            rows.append({"metric": f"{metric}_{clock}", **summary})
    return rows


async def _rows_timeseries(hub: Hub, query: report_actions.ReportQuery, params: dict[str, str]
                           ) -> list[dict[str, Any]]:
    return list((await report_actions.timeseries_data(hub.db, query, params))["points"])


async def _rows_agents(hub: Hub, query: report_actions.ReportQuery, _: dict[str, str]) -> list[dict[str, Any]]:
    return await report_queries.agents(hub.db, query.where, utcnow())


async def _rows_messages(hub: Hub, query: report_actions.ReportQuery, params: dict[str, str]
                         ) -> list[dict[str, Any]]:
    side = params.get("by") or "channel"
    if side not in ("channel", "department", "agent"):
        raise BadInput("'by' must be one of channel, department, agent", "by")
    return list((await report_queries.messages_by(hub.db, query.where))[f"by_{side}"])


async def _rows_conversations(hub: Hub, query: report_actions.ReportQuery, params: dict[str, str]
                              ) -> list[dict[str, Any]]:
    return list((await report_actions.behind_data(hub.db, query, params))["conversations"])


async def _rows_sla(hub: Hub, query: report_actions.ReportQuery, params: dict[str, str]) -> list[dict[str, Any]]:
    found = await report_queries.sla(hub.db, query.where)
    return list(found["breaches"] if params.get("part") == "breaches" else found["targets"])


async def _rows_csat(hub: Hub, query: report_actions.ReportQuery, _: dict[str, str]) -> list[dict[str, Any]]:
    return list((await report_queries.csat(hub.db, query.where))["comments"])


Rows = Callable[[Hub, report_actions.ReportQuery, dict[str, str]], Awaitable[list[dict[str, Any]]]]
EXPORTS: Final[dict[str, Rows]] = {"overview": _rows_overview, "timeseries": _rows_timeseries,
                                   "agents": _rows_agents, "messages": _rows_messages, "sla": _rows_sla,
                                   "csat": _rows_csat, "conversations": _rows_conversations}


@routes.get("/api/v1/reports/export.csv")
async def export_csv(request: web.Request) -> web.Response:
    report = request.query.get("report") or ""
    if report not in EXPORTS:
        raise BadInput(f"'report' must be one of {', '.join(EXPORTS)}", "report")
    query = _query(request)
    rows = await EXPORTS[report](request.app[keys.HUB], query, dict(request.query))
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns and k != "_id")
    writer = csv.DictWriter(out, fieldnames=columns or ["empty"], extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    filename = f"{report}-{query.first_day.isoformat()}-{query.last_day.isoformat()}.csv"
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
