"""The demo organisation's routing: business hours, auto-replies, SLA targets, languages and demo rules."""

from __future__ import annotations

from typing import Any

from hub.clock import utcnow
from hub.store import agents, routing_rules, users
from hub.store import departments as department_store
from hub.store.db import Db
from routing.policy_io import department_from_dict, department_to_dict
from routing.rules_io import rules_from_yaml, rules_to_dicts, rules_version

# Kept equal to tests/fixtures/routing/demo_rules.yaml (a test checks).
DEMO_RULES_YAML = """
rules:
  - id: vip
    name: VIPs get high priority
    when:
      - vip: true
    then:
      - set_priority: high
      - add_labels: [vip]
    continue: true

  - id: billing
    name: Billing words go to Billing
    when:
      - text: [invoice, refund*, billing, payment, فاتورة, استرداد, فاکتور, پرداخت, 发票, 退款, hóa đơn]
    then:
      - set_department: billing
      - add_labels: [billing]

  - id: arabic-persian
    name: Arabic and Persian go to Support's speakers
    when:
      - language: [ar, fa]
    then:
      - set_department: support
      - add_labels: [rtl]
"""

_WEEKDAYS = {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
DEMO_DEPARTMENTS: dict[str, dict[str, Any]] = {
    "Sales": {"strategy": "round_robin", "hours": {"timezone": "Europe/London", "weekly": _WEEKDAYS},
              "autoreply": {"in_hours": "in_hours", "out_of_hours": "out_of_hours"}},
    "Support": {"strategy": "balanced", "fallback_after": 120,
                "sla": {"normal": {"first_response": 1800, "resolution": 86400, "escalation": "notify_lead"},
                        "high": {"first_response": 600, "resolution": 14400, "escalation": "raise_priority"}}},
    "Billing": {"strategy": "balanced",
                "hours": {"timezone": "Asia/Tehran",
                          "weekly": {day: ["09:00-17:00"] for day in ("sat", "sun", "mon", "tue", "wed")},
                          "holidays": ["2026-03-21"]},
                "autoreply": {"out_of_hours": "out_of_hours"},
                "sla": {"high": {"first_response": 900, "escalation": "reassign"}}},
}
DEMO_AGENT_LANGUAGES = {
    "support1@demo.hub": ["fa", "ar", "en"],  # Sina
    "support2@demo.hub": ["zh", "vi", "en"],  # Sun
    "billing1@demo.hub": ["vi", "en"],
    "billing2@demo.hub": ["fa", "en"],
}


async def seed_routing(db: Db) -> None:
    now = utcnow()
    lead = await users.user_by_email(db, "lead@demo.hub")
    for name, settings in DEMO_DEPARTMENTS.items():
        doc = await users.ensure_department(db, name, now)
        key = department_store.slug(name)
        department = department_from_dict({"id": key, "name": name, **settings,
                                           "lead_id": str(lead["_id"]) if lead else None})
        stored = department_to_dict(department)
        fields = {field: stored.get(field) for field in ("strategy", "fallback_after", "sticky", "autoreply", "sla",
                                                         "hours")}
        await department_store.update_routing(db, doc["_id"], {**fields, "key": key,
                                                                "lead_id": lead["_id"] if lead else None}, now)
    for email, languages in DEMO_AGENT_LANGUAGES.items():
        agent = await users.user_by_email(db, email)
        if agent is not None:
            await agents.update_profile(db, agent["_id"], {"languages": languages, "capacity": 3}, now)
    rules = rules_from_yaml(DEMO_RULES_YAML)
    await routing_rules.save(db, rules_to_dicts(rules), rules_version(rules), None, "demo", now)
