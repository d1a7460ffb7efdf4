"""/reports (issue 14): the overview and one page per area, with the numbers the reports API gives.

Leads see their departments, admins all, agents their own (hub.actions.reports decides). Charts are drawn
by the vendored uPlot from the JSON the page carries; every table has its CSV export link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlencode

from aiohttp import web

from hub import keys
from hub.access.auth import current_user
from hub.actions import reports as report_actions
from hub.clock import utcnow
from hub.errors import BadInput
from hub.http.web import render
from hub.store import departments as department_store
from hub.store import report_queries
from inbox_ui.terms import N_

routes = web.RouteTableDef()

AREAS: Final = {"overview": N_("Overview"), "messages": N_("Messages"), "agents": N_("Agents"), "sla": N_("SLA"),
                "csat": N_("Satisfaction")}
METRIC_LABELS: Final = {
    "created": N_("Conversations created"), "assigned": N_("Assigned"), "resolved": N_("Resolved"),
    "reopened": N_("Reopened"), "first_response": N_("First responses"), "next_response": N_("Next responses"),
    "resolution": N_("Resolved"), "messages_in": N_("Messages in"), "messages_out": N_("Messages out"),
    "open": N_("Open now"), "pending": N_("Pending"), "snoozed": N_("Snoozed"), "active": N_("Open now"),
    "csat": N_("Satisfaction"), "sla_first_response": N_("First responses with a target"),
    "sla_resolution": N_("Resolutions with a target"), "breaches_first_response": N_("First response breaches"),
    "breaches_resolution": N_("Resolution breaches"),
}
FILTERS: Final = ("from", "to", "tz", "department", "agent", "channel", "label", "priority")
# The statuses' own (lower-case) names, as the inbox shows them.
STATUSES: Final = {"open": N_("open"), "pending": N_("pending"), "snoozed": N_("snoozed"), "resolved": N_("resolved")}


def drill_link(params: dict[str, str]) -> Callable[..., str]:
    """`drill("resolved", agent=id)`: the address of the conversations behind a number, with the page's
    filters and the row's own (an agent, a department, a channel, a priority) on top."""
    def link(metric: str, **narrower: object) -> str:
        merged = {**params, **{k: str(v) for k, v in narrower.items() if v is not None}, "metric": metric}
        return "/reports/conversations?" + urlencode(merged)
    return link


@routes.get("/reports")
@routes.get("/reports/{area}")
async def reports_page(request: web.Request) -> web.Response:
    area = request.match_info.get("area", "overview")
    if area == "list":
        area = "conversations"  # the drill-down's first address
    if area not in AREAS and area != "conversations":
        raise web.HTTPNotFound(text="no such report")
    hub, user = request.app[keys.HUB], current_user(request)
    params = {k: v for k, v in request.query.items() if k in FILTERS and v}
    tz, _ = report_actions.zone(params.get("tz"))
    try:
        query = report_actions.parse(user, params, utcnow().astimezone(tz).date())
    except BadInput as exc:
        return render(request, "reports.html", {"areas": AREAS, "area": area, "error": exc.message,
                                                "params": params, "departments": [], "qs": ""}, status=400)
    context: dict[str, Any] = {"areas": AREAS, "area": area, "params": params, "qs": urlencode(params),
                               "filter": report_actions.echo(query), "error": None, "drill": drill_link(params),
                               "statuses": STATUSES}
    if area == "overview":
        context["overview"] = await report_actions.overview_data(hub.db, query)
        series = await report_actions.timeseries_data(hub.db, query, {"metric": "created", "bucket": "day"})
        context["series"] = series["points"]
        backlog = await report_actions.timeseries_data(hub.db, query, {"metric": "backlog", "bucket": "day"})
        context["backlog_series"] = backlog["points"]
    elif area == "conversations":
        try:
            context["behind"] = await report_actions.behind_data(hub.db, query, request.query)
        except BadInput as exc:
            context["error"] = exc.message
            return render(request, "reports.html", {**context, "departments": []}, status=400)
        context["metric_label"] = METRIC_LABELS.get(context["behind"]["metric"], context["behind"]["metric"])
        context["drill_qs"] = urlencode({k: v for k, v in request.query.items() if k in ("metric", "score")})
    elif area == "messages":
        context["messages"] = await report_queries.messages_by(hub.db, query.where)
    elif area == "agents":
        context["agents"] = await report_queries.agents(hub.db, query.where, utcnow())
    elif area == "sla":
        context["sla"] = await report_queries.sla(hub.db, query.where)
    else:
        context["csat"] = await report_queries.csat(hub.db, query.where)
    visible = query.where.department_ids
    context["departments"] = [d for d in await department_store.all_departments(hub.db)
                              if visible is None or d["_id"] in visible]
    return render(request, "reports.html", context)
