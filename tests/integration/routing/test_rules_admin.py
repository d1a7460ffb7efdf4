"""Admins edit routing rules as JSON or YAML and departments' hours, auto-replies and SLA; mistakes are named."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import yaml

from hub.runtime import Hub
from tests.integration.routing.support import agent, api, department, token_for
from tests.support.agents import make_user

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "routing"
BROKEN_REGEX = """
rules:
  - name: Refund words
    when:
      - text: [refund]
    then:
      - set_department: billing
  - name: Order numbers
    when:
      - text: {regex: "(ORD-[0-9]+"}
    then:
      - add_labels: [order]
"""


async def admin_headers(hub: Hub) -> dict[str, str]:
    return await token_for(hub, await make_user(hub.db, "admin@x.test", role="admin"))


async def test_yaml_import_with_a_bad_regex_is_refused_naming_the_rule_and_keeps_the_old_rules(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await department(hub, "Billing")
    headers = await admin_headers(hub)
    status, saved = await api(http, "PUT", f"{base_url}/api/v1/routing/rules.yaml", headers,
                              data=(FIXTURES / "demo_rules.yaml").read_bytes())
    assert status == 200, saved
    status, body = await api(http, "PUT", f"{base_url}/api/v1/routing/rules.yaml", headers, data=BROKEN_REGEX)
    assert status == 400
    assert len(body["problems"]) == 1
    assert body["problems"][0].startswith('rule "Order numbers" (#2), when[0].text.regex: bad regular expression')
    assert "Order numbers" in body["error"]
    status, current = await api(http, "GET", f"{base_url}/api/v1/routing/rules", headers)
    assert current["version"] == saved["version"]
    assert [r["name"] for r in current["rules"]][:2] == ["VIPs get high priority", "Billing words go to Billing"]


async def test_rules_round_trip_through_yaml_export_and_json(hub: Hub, base_url: str,
                                                            http: aiohttp.ClientSession) -> None:
    await department(hub, "Billing")
    headers = await admin_headers(hub)
    await api(http, "PUT", f"{base_url}/api/v1/routing/rules.yaml", headers,
              data=(FIXTURES / "demo_rules.yaml").read_bytes())
    status, exported = await api(http, "GET", f"{base_url}/api/v1/routing/rules.yaml", headers)
    assert status == 200 and exported.startswith("# rules version ")
    rules = yaml.safe_load(exported)["rules"]
    rules[0]["enabled"] = False
    status, body = await api(http, "PUT", f"{base_url}/api/v1/routing/rules", headers, json={"rules": rules})
    assert status == 200, body
    assert body["rules"][0]["enabled"] is False and body["problems"] == []
    status, stale = await api(http, "PUT", f"{base_url}/api/v1/routing/rules", headers,
                              json={"rules": rules, "base_version": "0123456789ab"})
    assert status == 400 and "changed since you loaded them" in stale["problems"][0]


async def test_rules_naming_a_missing_department_agent_or_template_are_refused_with_every_problem(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await admin_headers(hub)
    rules = [{"name": "Ghosts", "then": [{"set_department": "ghosts"}, {"assign_agent": "nobody"},
                                         {"autoreply": "no_such_template"}]},
             {"name": "Typo", "when": [{"chanel": "sms"}], "then": []}]
    status, body = await api(http, "PUT", f"{base_url}/api/v1/routing/rules", headers, json={"rules": rules})
    assert status == 400
    problems = body["problems"]
    assert any("unknown department 'ghosts'" in p and 'rule "Ghosts"' in p for p in problems)
    assert any("unknown agent 'nobody'" in p for p in problems)
    assert any("did you mean 'channel'" in p and 'rule "Typo"' in p for p in problems)
    status, body = await api(http, "PUT", f"{base_url}/api/v1/routing/rules", headers,
                             json={"rules": [{"name": "Greets", "then": [{"autoreply": "no_such_template"}]}]})
    assert status == 400 and "template 'no_such_template' does not exist" in body["problems"][0]
    status, body = await api(http, "GET", f"{base_url}/api/v1/routing/rules", headers)
    assert body["version"] == "none" and body["rules"] == []


async def test_only_admins_change_rules_and_departments(hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    lead = await token_for(hub, await make_user(hub.db, "lead@x.test", role="lead"))
    plain = await token_for(hub, await agent(hub, "agent@x.test"))
    status, _ = await api(http, "PUT", f"{base_url}/api/v1/routing/rules", lead, json={"rules": []})
    assert status == 403
    status, _ = await api(http, "GET", f"{base_url}/api/v1/routing/rules", plain)
    assert status == 403
    status, _ = await api(http, "PUT", f"{base_url}/api/v1/departments/support", lead, json={"strategy": "manual"})
    assert status == 403


async def test_admin_sets_business_hours_auto_replies_and_sla_on_a_department(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await admin_headers(hub)
    billing = await department(hub, "Billing")
    settings = {"hours": {"timezone": "Asia/Tehran", "weekly": {"sat": ["09:00-17:00"], "wed": ["22:00-06:00"]},
                          "holidays": ["2026-03-21"]},
                "autoreply": {"in_hours": "in_hours", "out_of_hours": "out_of_hours"},
                "sla": {"high": {"first_response": 900, "escalation": "raise_priority"}},
                "strategy": "round_robin", "fallback_after": 60}
    status, body = await api(http, "PUT", f"{base_url}/api/v1/departments/{billing['_id']}", headers, json=settings)
    assert status == 200, body
    status, shown = await api(http, "GET", f"{base_url}/api/v1/departments/billing", headers)
    assert shown["hours"]["weekly"] == {"wed": ["22:00-06:00"], "sat": ["09:00-17:00"]}
    assert shown["autoreply"] == {"in_hours": "in_hours", "out_of_hours": "out_of_hours"}
    assert shown["sla"]["high"] == {"first_response": 900.0, "resolution": None, "escalation": "raise_priority"}
    assert (shown["strategy"], shown["fallback_after"], shown["key"]) == ("round_robin", 60.0, "billing")

    bad = {"hours": {"timezone": "Mars/Olympus", "weekly": {"funday": ["9-5"]}}, "autoreply": {"in_hours": "nope"}}
    status, body = await api(http, "PUT", f"{base_url}/api/v1/departments/billing", headers, json=bad)
    assert status == 400
    assert any("unknown time zone 'Mars/Olympus'" in p for p in body["problems"])
    assert any("hours.weekly.funday: unknown day" in p for p in body["problems"])
    status, missing = await api(http, "PUT", f"{base_url}/api/v1/departments/billing", headers,
                                json={"autoreply": {"in_hours": "nope"}})
    assert status == 400 and "template 'nope' does not exist" in missing["problems"][0]
    status, unchanged = await api(http, "GET", f"{base_url}/api/v1/departments/billing", headers)
    assert unchanged["hours"]["timezone"] == "Asia/Tehran"
    status, _ = await api(http, "GET", f"{base_url}/api/v1/departments/nowhere", headers)
    assert status == 404
