"""/reports (issue 14): the overview and one page per area, with the numbers the reports API gives.

Leads see their departments, admins all, agents their own (hub.actions.reports decides). Charts are drawn
by the vendored uPlot from the JSON the page carries; every table has its CSV export link.
"""

from __future__ import annotations

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
FILTERS: Final = ("from", "to", "tz", "department", "agent", "channel", "label", "priority")


@routes.get("/reports")
@routes.get("/reports/{area}")
async def reports_page(request: web.Request) -> web.Response:
    area = request.match_info.get("area", "overview")
    if area not in AREAS and area != "list":
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
                               "filter": report_actions.echo(query), "error": None}
    if area == "overview":
        context["overview"] = await report_actions.overview_data(hub.db, query)
        series = await report_actions.timeseries_data(hub.db, query, {"metric": "created", "bucket": "day"})
        context["series"] = series["points"]
    elif area == "list":
        metric = request.query.get("metric") or "created"
        if metric not in report_queries.METRICS:
            raise web.HTTPBadRequest(text=f"metric must be one of {', '.join(report_queries.METRICS)}")
        context["metric"] = metric
        context["behind"] = await report_queries.conversations_behind(hub.db, query.where, metric)
    elif area == "messages":
        context["messages"] = await report_queries.messages_by(hub.db, query.where)
    elif area == "agents":
        context["agents"] = await report_queries.agents(hub.db, query.where)
    elif area == "sla":
        context["sla"] = await report_queries.sla(hub.db, query.where)
    else:
        context["csat"] = await report_queries.csat(hub.db, query.where)
    visible = query.where.department_ids
    context["departments"] = [d for d in await department_store.all_departments(hub.db)
                              if visible is None or d["_id"] in visible]
    return render(request, "reports.html", context)
