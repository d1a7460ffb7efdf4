"""`hub seed-demo` gives the demo organisation working routing: hours, auto-replies, speakers, demo rules."""

from __future__ import annotations

from pathlib import Path

from hub.actions.demo import seed_demo
from hub.actions.demo_routing import DEMO_RULES_YAML
from hub.assign.runtime import runtime
from hub.runtime import Hub
from hub.store import agents, users
from routing.rules_io import rules_from_yaml, rules_version
from tests.integration.routing.support import conversation, writes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "routing"


def test_the_seeded_rules_are_the_demo_rules_fixture() -> None:
    seeded = rules_from_yaml(DEMO_RULES_YAML)
    assert rules_version(seeded) == rules_version(rules_from_yaml((FIXTURES / "demo_rules.yaml").read_text()))


async def test_demo_departments_have_hours_and_agents_speak_persian_arabic_chinese_vietnamese(hub: Hub) -> None:
    await seed_demo(hub.db)
    config = await runtime(hub).config()
    assert config.problems == ()
    billing = config.policy.departments["billing"]
    assert billing.hours is not None and billing.hours.timezone == "Asia/Tehran"
    assert billing.autoreply_out_of_hours == "out_of_hours"
    assert config.policy.departments["support"].sla["high"].escalation == "raise_priority"
    assert [rule.name for rule in config.policy.rules] == [
        "VIPs get high priority", "Billing words go to Billing", "Arabic and Persian go to Support's speakers"]
    sina = await users.user_by_email(hub.db, "support1@demo.hub")
    sun = await users.user_by_email(hub.db, "support2@demo.hub")
    assert sina is not None and {"fa", "ar"} <= set(sina["languages"])
    assert sun is not None and {"zh", "vi"} <= set(sun["languages"])


async def test_in_the_demo_an_arabic_customer_reaches_the_arabic_speaker(hub: Hub) -> None:
    from datetime import timedelta

    from hub.clock import utcnow

    await seed_demo(hub.db)
    for doc in await agents.routable(hub.db):
        now = utcnow()
        await agents.presence_open(hub.db, f"t:{doc['_id']}", doc["_id"], "test", now, now + timedelta(hours=1))
    result = await writes(hub, "مرحبا، أحتاج مساعدة في طلبي من فضلكم", "v-ar")
    routed = await conversation(hub, result.conversation["_id"])
    sina = await users.user_by_email(hub.db, "support1@demo.hub")
    assert sina is not None and routed["assignee_id"] == sina["_id"]
    assert routed["labels"] == ["rtl"]
    assert routed["routing"]["explanation"]["matched_rules"][0]["name"] == "Arabic and Persian go to Support's speakers"


async def test_an_unknown_detection_language_stops_start_up_with_a_clear_message(hub: Hub) -> None:
    import pytest

    from hub.assign.runtime import RoutingRuntime, RoutingStartError
    from hub.settings import RoutingSettings

    with pytest.raises(RoutingStartError, match="'xx' is not a language the detector knows"):
        await RoutingRuntime(hub, RoutingSettings(_env_file=None, languages="en,xx")).start()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="two-letter codes"):
        RoutingSettings(_env_file=None, languages="english")  # type: ignore[call-arg]
