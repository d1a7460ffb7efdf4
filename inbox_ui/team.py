"""The team lead's overview: every agent's load against capacity, and who is here."""

from __future__ import annotations

from aiohttp import web

from hub import keys
from hub.access.auth import require_role
from hub.actions.inbox import team_rows
from hub.http.web import render
from hub.store import departments as department_store
from inbox_ui import view_models

routes = web.RouteTableDef()


async def _team_context(request: web.Request) -> dict[str, object]:
    require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    departments = {d["_id"]: d for d in await department_store.all_departments(hub.db)}
    return {"agents": view_models.team_agents(await team_rows(hub), departments)}


@routes.get("/inbox/team")
async def team_page(request: web.Request) -> web.Response:
    return render(request, "team.html", await _team_context(request))


@routes.get("/inbox/team/agents")
async def team_agents(request: web.Request) -> web.Response:
    return render(request, "partials/team_agents.html", await _team_context(request))
