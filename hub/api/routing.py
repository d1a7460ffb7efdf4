"""JSON API for routing: rules (JSON and YAML), departments, agents, dry runs, transfers."""

from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import Field, StringConstraints

from hub import keys
from hub.access.auth import current_user, require_role
from hub.actions import presenters as present
from hub.actions.access import visible_conversation
from hub.assign import admin as routing_admin
from hub.assign.apply import present_agents
from hub.assign.moves import Note, transfer
from hub.assign.runtime import runtime
from hub.assign.snapshot import agent_state
from hub.clock import utcnow
from hub.errors import BadInput, NotFound
from hub.http.request_models import OptionalId, RequestModel, WholeNumber, parse_body
from hub.http.web import json_response, read_body
from hub.store import agents
from hub.store.db import Doc, oid
from hub.store.documents import Conversation
from routing.errors import RoutingConfigError
from routing.model import PRESENCES, Presence
from routing.rules_io import rules_to_dicts, rules_to_yaml

routes = web.RouteTableDef()
MAX_YAML_BYTES = 512 * 1024
PRESENCE_SENTENCE = f"status must be one of {', '.join(PRESENCES)}"
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class RulesBody(RequestModel):
    base_version: str | None = None
    rules: Any = None  # routing_admin.parse_rules checks them, with every problem listed

    field_messages = {"base_version": "'base_version' must be the version text GET gave you"}


class ExplainBody(RequestModel):
    channel: Label
    text: str = ""
    contact_id: OptionalId = None

    field_messages = {"channel": "'channel' is required, e.g. whatsapp, sms, email, telegram or webchat",
                      "text": "'text' must be text", "contact_id": "'contact_id' is not a contact id"}


class AgentProfile(RequestModel):
    """Only the fields sent change (`model_fields_set`)."""

    status: Presence = "offline"
    capacity: Annotated[WholeNumber, Field(ge=0, le=1000)] = 0
    skills: list[Label] = []
    languages: list[Label] = []
    routable: bool = False

    field_messages = {"status": PRESENCE_SENTENCE, "capacity": "capacity must be a whole number from 0 to 1000",
                      "skills": "skills must be a list of text", "languages": "languages must be a list of text",
                      "routable": "routable must be true or false"}

    def fields(self) -> Doc:
        fields: Doc = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            fields[name] = sorted({v.lower() for v in value}) if name in ("skills", "languages") else value
        return fields


class MyStatus(RequestModel):
    status: Presence

    field_messages = {"status": PRESENCE_SENTENCE}


class TransferBody(RequestModel):
    department_id: Label
    note: Note = ""
    agent_id: OptionalId = None

    field_messages = {"department_id": "'department_id' is required (the department's id, key or name)",
                      "agent_id": "'agent_id' is not a known user"}


def invalid(exc: RoutingConfigError) -> web.Response:
    count = len(exc.messages)
    summary = f"{count} problem{'s' if count != 1 else ''}: {exc.messages[0]}" if count else "invalid"
    # The same shape as every other 400 (hub/request_models.py), plus the list of problems as they were.
    fields = [{"field": problem.partition(":")[0].strip() if ":" in problem else "", "reason": problem}
              for problem in exc.messages]
    return json_response({"error": summary, "problems": exc.messages, "status": 400,
                          "field": fields[0]["field"] if fields else "", "fields": fields}, status=400)


async def _rules_payload(request: web.Request) -> dict[str, Any]:
    rules, version, problems = await routing_admin.current_rules(request.app[keys.HUB])
    return {"version": version, "rules": rules_to_dicts(rules), "problems": problems}


@routes.get("/api/v1/routing/rules")
async def get_rules(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    return json_response(await _rules_payload(request))


@routes.put("/api/v1/routing/rules")
async def put_rules(request: web.Request) -> web.Response:
    user = require_role(request, "admin")
    hub = request.app[keys.HUB]
    body = await parse_body(request, RulesBody)
    try:
        rules = await routing_admin.parse_rules(hub, body.rules)
        await routing_admin.save_rules(hub, rules, user["_id"], "api", utcnow(), body.base_version)
    except RoutingConfigError as exc:
        return invalid(exc)
    return json_response(await _rules_payload(request))


@routes.get("/api/v1/routing/rules.yaml")
async def get_rules_yaml(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    rules, version, _ = await routing_admin.current_rules(request.app[keys.HUB])
    text = f"# rules version {version}\n" + rules_to_yaml(rules)
    return web.Response(text=text, content_type="application/yaml",
                        headers={"Content-Disposition": 'inline; filename="routing-rules.yaml"'})


@routes.put("/api/v1/routing/rules.yaml")
async def put_rules_yaml(request: web.Request) -> web.Response:
    user = require_role(request, "admin")
    hub = request.app[keys.HUB]
    raw = await request.read()
    if len(raw) > MAX_YAML_BYTES:
        raise BadInput(f"the rules file is {len(raw):,} bytes; the limit is {MAX_YAML_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("the rules file must be UTF-8 text") from None
    try:
        rules = await routing_admin.parse_rules(hub, None, yaml_text=text)
        await routing_admin.save_rules(hub, rules, user["_id"], "yaml", utcnow())
    except RoutingConfigError as exc:
        return invalid(exc)
    return json_response(await _rules_payload(request))


@routes.post("/api/v1/routing/explain")
async def explain(request: web.Request) -> web.Response:
    current_user(request)
    hub = request.app[keys.HUB]
    body = await parse_body(request, ExplainBody)
    try:
        result = await routing_admin.explain(hub, body.channel, body.text, body.contact_id, utcnow())
    except LookupError:
        raise NotFound("contact not found") from None
    return json_response(result.as_dict())


@routes.get("/api/v1/departments")
async def list_departments(request: web.Request) -> web.Response:
    current_user(request)
    config = await runtime(request.app[keys.HUB]).config()
    return json_response({"departments": [routing_admin.present_department(doc, key)
                                          for key, doc in config.department_docs.items()]})


async def _department(request: web.Request) -> Doc:
    config = await runtime(request.app[keys.HUB]).config()
    doc = config.department_for(request.match_info["id"])
    if doc is None:
        raise NotFound("department not found")
    return doc


@routes.get("/api/v1/departments/{id}")
async def get_department(request: web.Request) -> web.Response:
    current_user(request)
    hub = request.app[keys.HUB]
    doc = await _department(request)
    config = await runtime(hub).config()
    return json_response(routing_admin.present_department(doc, config.key_by_oid[doc["_id"]]))


@routes.put("/api/v1/departments/{id}")
async def put_department(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    doc = await _department(request)
    body = await read_body(request)
    try:
        updated = await routing_admin.update_department(hub, doc, dict(body), utcnow())
    except RoutingConfigError as exc:
        return invalid(exc)
    config = await runtime(hub).config()
    return json_response(routing_admin.present_department(updated, config.key_by_oid[updated["_id"]]))


@routes.get("/api/v1/agents")
async def list_agents(request: web.Request) -> web.Response:
    require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    config, now = await runtime(hub).config(), utcnow()
    team = [agent_state(doc, config, now) for doc in await agents.routable(hub.db)]
    return json_response({"agents": present_agents(team)})


@routes.put("/api/v1/agents/{id}")
async def put_agent(request: web.Request) -> web.Response:
    require_role(request, "admin")
    hub = request.app[keys.HUB]
    user_id = oid(request.match_info["id"])
    fields = (await parse_body(request, AgentProfile)).fields()
    updated = await agents.update_profile(hub.db, user_id, fields, utcnow()) if user_id else None
    if updated is None:
        raise NotFound("agent not found")
    if fields.get("status") == "online" or "capacity" in fields:
        from hub.assign.moves import offer_queue_to

        await offer_queue_to(hub, updated["_id"], utcnow())
        updated = await agents.get(hub.db, updated["_id"]) or updated
    config = await runtime(hub).config()
    return json_response(present_agents([agent_state(updated, config, utcnow())])[0])


@routes.post("/api/v1/me/status")
async def set_my_status(request: web.Request) -> web.Response:
    """An agent says they are online, away or offline; going online offers them the queue."""
    user = current_user(request)
    hub = request.app[keys.HUB]
    status = (await parse_body(request, MyStatus)).status
    await agents.update_profile(hub.db, user["_id"], {"status": status}, utcnow())
    assigned: list[Conversation] = []
    if status == "online":
        from hub.assign.moves import offer_queue_to

        assigned = await offer_queue_to(hub, user["_id"], utcnow())
    return json_response({"status": status, "assigned": [str(c["_id"]) for c in assigned]})


@routes.post("/api/v1/conversations/{id}/transfer")
async def transfer_conversation(request: web.Request) -> web.Response:
    user = require_role(request, "admin", "lead")
    hub = request.app[keys.HUB]
    conversation = await visible_conversation(hub, user, request.match_info["id"])
    body = await parse_body(request, TransferBody)
    config = await runtime(hub).config()
    department = config.department_for(body.department_id)
    if department is None:
        raise BadInput(f"no department {body.department_id!r}", field="department_id")
    agent: Doc | None = None
    if body.agent_id is not None:
        agent = await agents.get(hub.db, body.agent_id)
        if agent is None:
            raise BadInput("'agent_id' is not a known user", field="agent_id")
    updated = await transfer(hub, user, conversation, department, body.note, utcnow(), agent)
    return json_response(present.conversation(updated))
