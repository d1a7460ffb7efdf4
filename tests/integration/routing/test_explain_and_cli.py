"""Dry runs (API and `hub routing explain`), replay of past conversations, and YAML import/export by command."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp

from channels.base import WEBCHAT, Identity
from hub.assign.admin import save_rules
from hub.clock import utcnow
from hub.runtime import Hub
from hub.settings import Settings
from hub.store import contacts
from routing.rules_io import rules_from_yaml
from tests.integration.routing.support import agent, api, department, token_for, writes
from tests.support.servers import VENV_BIN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "routing"


async def test_explain_shows_what_would_happen_and_writes_nothing(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await department(hub, "Billing")
    billing_agent = await agent(hub, "billing@x.test", departments=("Billing",), name="Bao Billing")
    await save_rules(hub, rules_from_yaml((FIXTURES / "demo_rules.yaml").read_text()), None, "test", utcnow())
    vip = await contacts.resolve(hub.db, Identity(WEBCHAT, "vip-visitor"), None, utcnow())
    await hub.db["contacts"].update_one({"_id": vip["_id"]}, {"$set": {"tags": ["vip"]}})
    headers = await token_for(hub, billing_agent)
    status, body = await api(http, "POST", f"{base_url}/api/v1/routing/explain", headers,
                             json={"channel": "whatsapp", "text": "فاکتور من اشتباه است",
                                   "contact_id": str(vip["_id"])})
    assert status == 200, body
    assert body["department"]["key"] == "billing"
    assert body["decision"]["agent_id"] == str(billing_agent["_id"])
    assert body["decision"]["priority"] == "high"
    assert [r["name"] for r in body["decision"]["explanation"]["matched_rules"]] == [
        "VIPs get high priority", "Billing words go to Billing"]
    assert body["summary"].startswith("Rules 'VIPs get high priority', 'Billing words go to Billing' matched")
    assert await hub.db["conversations"].count_documents({}) == 0
    assert not (await hub.db["users"].find_one({"_id": billing_agent["_id"]}) or {}).get("open_count")


async def test_explain_refuses_missing_channel_and_unknown_contacts(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    headers = await token_for(hub, await agent(hub, "a@x.test"))
    url = f"{base_url}/api/v1/routing/explain"
    status, body = await api(http, "POST", url, headers, json={"text": "hi"})
    assert status == 400 and "'channel' is required" in body["error"]
    status, body = await api(http, "POST", url, headers, json={"channel": "sms", "text": "hi", "contact_id": "zz"})
    assert status == 400 and body["error"] == "'contact_id' is not a contact id"
    status, body = await api(http, "POST", url, headers,
                             json={"channel": "sms", "text": "hi", "contact_id": "0123456789abcdef01234567"})
    assert status == 404 and body["error"] == "contact not found"
    status, body = await api(http, "POST", url, headers, json={"channel": "sms", "text": ["hi"]})
    assert status == 400


async def hub_routing(settings: Settings, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "HUB_MONGO_URL": settings.mongo_url, "HUB_DB_NAME": settings.db_name,
           "HUB_DATA_DIR": str(tmp_path), "HUB_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(str(VENV_BIN / "hub"), "routing", *args, env=env, cwd=tmp_path,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_command_line_imports_explains_exports_and_replays(hub: Hub, settings: Settings, tmp_path: Path) -> None:
    await department(hub, "Billing")
    await agent(hub, "support@x.test")
    before = await writes(hub, "I need a refund for order 12", "v-1")
    await writes(hub, "where is my parcel", "v-2")

    code, out, err = await hub_routing(settings, tmp_path, "import", str(FIXTURES / "demo_rules.yaml"))
    assert code == 0, err
    assert out.startswith("imported 3 rule(s) from demo_rules.yaml; rules version ")

    code, out, err = await hub_routing(settings, tmp_path, "explain", "--channel", "whatsapp", "--text",
                                       "Refunds take too long")
    assert code == 0, err
    assert out.startswith("Rule 'Billing words go to Billing' matched; department Billing")
    assert "  department: Billing (billing)" in out

    code, out, err = await hub_routing(settings, tmp_path, "replay", "--since", "2000-01-01")
    assert code == 0, err
    assert f"{before.conversation['_id']}" in out and "support -> billing" in out
    assert out.strip().endswith("2 conversation(s) since 2000-01-01 00:00 UTC; 1 would have gone elsewhere under "
                                "the current rules.")

    broken = tmp_path / "broken.yaml"
    broken.write_text("rules:\n  - name: Order numbers\n    when: [{text: {regex: '(ORD'}}]\n    then: []\n")
    code, out, err = await hub_routing(settings, tmp_path, "import", str(broken))
    assert code == 1
    assert 'rule "Order numbers" (#1), when[0].text.regex: bad regular expression' in err

    code, out, err = await hub_routing(settings, tmp_path, "export")
    assert code == 0, err
    assert out.startswith("# rules version ") and "name: Billing words go to Billing" in out

    code, _, err = await hub_routing(settings, tmp_path, "replay", "--since", "last tuesday")
    assert code == 2 and "is not a date" in err
