"""Admin pages: users, departments, channel status, routing rules with a test box, mailboxes, canned
responses, custom contact fields and the website chat (its look, identity secret and allowed sites).

Pages only read; every change goes through the JSON API (hub/api/admin.py, mailboxes.py, routing.py) from
static/admin.js, so the API's checks and messages are the only ones. The one exception is the
website chat's secret: it is shown once, in the page that answers the form that made it.
"""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web

from channels.webchat import origins as site_origins
from hub import keys
from hub import names as model
from hub.access.auth import require_role
from hub.actions import canned as canned_actions
from hub.actions import mailboxes as mailbox_actions
from hub.actions.admin import channel_rows, present_user
from hub.actions.contacts import present_field
from hub.actions.mailboxes import SECURITIES
from hub.assign import admin as routing_admin
from hub.assign import autoreplies
from hub.assign.runtime import runtime
from hub.clock import utcnow
from hub.errors import NotFound
from hub.http.request_models import RequestModel, one_of, parse_body
from hub.http.web import read_body, render
from hub.store import canned, custom_fields, users, webchat_sites
from hub.store import departments as department_store
from hub.store import webchat_look as look_store
from inbox_ui import view_models, webchat_look_admin
from routing.model import ESCALATIONS, PRIORITIES, STRATEGIES
from routing.policy_io import DAYS
from routing.rules_io import rules_to_yaml

routes = web.RouteTableDef()
CANNED_PAGE_LIMIT = 500


def _page(request: web.Request, template: str, section: str, context: dict[str, Any]) -> web.Response:
    return render(request, f"admin/{template}", {"section": section, **context})


@routes.get("/admin")
async def admin_home(request: web.Request) -> web.Response:
    user = require_role(request, "admin", "lead")
    raise web.HTTPFound("/admin/users" if user.get("role") == "admin" else "/admin/channels")


@routes.get("/admin/users")
async def users_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    departments = await department_store.all_departments(hub.db)
    names = {str(d["_id"]): str(d["name"]) for d in departments}
    return _page(request, "users.html", "users", {
        "people": [view_models.UserRow.of(present_user(u), names) for u in await users.users(hub.db)],
        "departments": view_models.department_options(departments), "roles": model.ROLES,
    })


@routes.get("/admin/departments")
async def departments_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    config = await runtime(request.app[keys.HUB]).config()
    rows = [routing_admin.present_department(doc, key) for key, doc in config.department_docs.items()]
    return _page(request, "departments.html", "departments",
                 {"departments": [view_models.DepartmentRow.of(d)
                                  for d in sorted(rows, key=lambda d: str(d.get("name", "")).casefold())]})


@routes.get("/admin/departments/{id}")
async def department_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    config = await runtime(hub).config()
    doc = config.department_for(request.match_info["id"])
    if doc is None:
        raise NotFound("department not found")
    department = routing_admin.present_department(doc, config.key_by_oid[doc["_id"]])
    return _page(request, "department.html", "departments", {
        "d": view_models.DepartmentPage.of(department, DAYS, PRIORITIES), "strategies": STRATEGIES,
        "templates": sorted(autoreplies.template_names()), "escalations": ESCALATIONS,
    })


@routes.get("/admin/channels")
async def channels_page(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    rows = await channel_rows(request.app[keys.HUB])
    return _page(request, "channels.html", "channels", {"channels": [view_models.ChannelStatus.of(r) for r in rows]})


@routes.get("/admin/routing")
async def routing_page(request: web.Request) -> web.Response:
    user = require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    rules, version, problems = await routing_admin.current_rules(hub)
    return _page(request, "routing.html", "routing", {
        "yaml": rules_to_yaml(rules), "version": version, "problems": problems, "rule_count": len(rules),
        "can_edit": user.get("role") == "admin", "channels": view_models.channel_options(),
    })


@routes.get("/admin/mailboxes")
async def mailboxes_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    departments = await department_store.all_departments(hub.db)
    return _page(request, "mailboxes.html", "mailboxes", {
        "mailboxes": view_models.mailbox_rows(await mailbox_actions.mailbox_rows(hub)),
        "new_mailbox": view_models.MailboxForm(), "departments": view_models.department_options(departments),
        "securities": SECURITIES,
    })


@routes.get("/admin/canned")
async def canned_page(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")  # the same people the canned API lets write shared ones
    hub = request.app[keys.HUB]
    found = await canned.search(hub.db, limit=CANNED_PAGE_LIMIT)
    names = await canned_actions.department_names(hub)
    return _page(request, "canned.html", "canned", {
        "canned": view_models.canned_responses(found, names), "new_canned": view_models.CannedResponse(),
        "departments": view_models.department_options(await department_store.all_departments(hub.db)),
        "variables": canned_actions.VARIABLES})


@routes.get("/admin/custom-fields")
async def custom_fields_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    fields = await custom_fields.all_fields(request.app[keys.HUB].db)
    return _page(request, "custom_fields.html", "custom-fields", {
        "fields": [view_models.FieldRow.of(present_field(f)) for f in fields], "types": custom_fields.TYPES,
    })


async def _webchat_page(request: web.Request, new_secret: str | None = None, origins_error: str | None = None,
                        origins_text: str | None = None, look: dict[str, Any] | None = None) -> web.Response:
    hub = request.app[keys.HUB]
    site = await webchat_sites.status(hub.db)
    response = render(request, "admin/webchat.html", {
        **(look or await webchat_look_admin.look_context(hub)), "look_saved": request.query.get("saved") == "look",
        "section": "webchat", "site": site, "new_secret": new_secret,
        "widget_url": f"{hub.settings.effective_public_url()}/widget.js", "origins_error": origins_error,
        "origins_text": origins_text if origins_text is not None else "\n".join(site["allowed_origins"]),
    })
    if origins_error or (look or {}).get("look_problem"):
        response.set_status(400)
    return response


@routes.post("/admin/webchat/look")
async def webchat_look(request: web.Request) -> web.Response:
    """Colour, position, title, greeting, pre-chat form and department; a problem is shown by its setting."""
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    chosen, problem = await webchat_look_admin.chosen_look(hub, await read_body(request))
    if problem is not None:
        return await _webchat_page(request, look=await webchat_look_admin.look_context(hub, chosen, problem))
    await look_store.save_look(hub.db, chosen, utcnow())
    raise web.HTTPSeeOther("/admin/webchat?saved=look#appearance")


class OriginsForm(RequestModel):
    origins: str = ""


@routes.post("/admin/webchat/origins")
async def webchat_origins(request: web.Request) -> web.Response:
    """The sites whose pages may open the chat (one origin a line); empty lets any site embed it."""
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    text = (await parse_body(request, OriginsForm)).origins
    try:
        origins = site_origins.parse_origins(text)
    except site_origins.BadOrigin as exc:
        return await _webchat_page(request, origins_error=str(exc), origins_text=text)
    await webchat_sites.set_allowed_origins(hub.db, origins)
    return await _webchat_page(request)


@routes.get("/admin/webchat")
async def webchat_page(request: web.Request) -> web.Response:
    require_role(request, "admin")
    return await _webchat_page(request)


class SecretAction(RequestModel):
    action: Annotated[str, one_of(("generate", "remove"))]

    field_messages = {"action": "'action' must be generate or remove"}


@routes.post("/admin/webchat/secret")
async def webchat_secret(request: web.Request) -> web.Response:
    """Generate (or rotate) the identity secret, or remove it; a new one is shown in this answer only."""
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    action = (await parse_body(request, SecretAction)).action
    if action == "remove":
        await webchat_sites.remove_secret(hub.db)
        return await _webchat_page(request)
    secret = await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), utcnow())
    response = await _webchat_page(request, new_secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response
