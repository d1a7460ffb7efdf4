"""Agents' time online comes from their presence changes (a live inbox opening and closing, the status they
set), summed per agent over the report's range and cut at its edges; a controllable clock moves the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from hub.assign.presence import tracker
from hub.runtime import Hub
from hub.store import agents
from tests.integration.routing.support import api, department, token_for
from tests.support.agents import make_user
from tests.support.clock import install

START = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


@pytest.fixture
async def day_of_presence(hub: Hub, http: aiohttp.ClientSession, base_url: str,
                          monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    clock = install(monkeypatch, START)
    await department(hub, "Support")
    ana = await make_user(hub.db, "ana@x.test", departments=("Support",), name="Ana")
    ana_token = await token_for(hub, ana)
    presence = tracker(hub)

    async def later(seconds: float) -> None:
        """Time passes; the live streams' heartbeat (real seconds in the hub) keeps up with the test's clock."""
        clock.advance(seconds)
        if presence.streams:
            await agents.presence_beat_process(hub.db, hub.process_id, list(presence.streams),
                                               clock.now + timedelta(minutes=1))

    async def status(value: str) -> None:
        code, got = await api(http, "POST", f"{base_url}/api/v1/me/status", ana_token, json={"status": value})
        assert code == 200, got

    await presence.opened(ana["_id"])  # 20:00 online
    await later(3600)
    await status("away")  # 21:00
    await later(1800)
    await status("online")  # 21:30
    await presence.opened(ana["_id"])  # a second tab changes nothing
    await later(1800)
    await presence.closed(ana["_id"])  # 22:00, one tab still open
    await later(3600)
    await presence.closed(ana["_id"])  # 23:00 offline
    await later(2 * 3600)
    await presence.opened(ana["_id"])  # 01:00 the next day, still online at 02:00
    await later(3600)
    admin = await make_user(hub.db, "admin@x.test", role="admin", name="Ada")
    lead = await make_user(hub.db, "lead@x.test", role="lead", departments=("Support",), name="Lea")
    return {"ana": ana, "admin": await token_for(hub, admin), "lead": await token_for(hub, lead),
            "ana_token": ana_token}


async def online(http: aiohttp.ClientSession, url: str, token: dict[str, str], agent: object) -> float:
    status, got = await api(http, "GET", url, token)
    assert status == 200, got
    return float(next(r["online_seconds"] for r in got["agents"] if r["agent_id"] == str(agent)))


@pytest.mark.parametrize("period, seconds", [
    ("from=2026-03-02&to=2026-03-02", 3600 + 1800 + 3600),  # 20:00-21:00 and 21:30-23:00
    ("from=2026-03-03&to=2026-03-03", 3600),  # 01:00 until now (02:00)
    ("from=2026-03-01&to=2026-03-04", 3600 + 1800 + 3600 + 3600),
    ("from=2026-03-02&to=2026-03-02&tz=Asia/Tehran", 1800),  # Tehran's day ends at 20:30 UTC
])
async def test_time_online_is_the_sum_of_online_spans_within_the_range(
        day_of_presence: dict[str, Any], http: aiohttp.ClientSession, base_url: str, period: str,
        seconds: float) -> None:
    url = f"{base_url}/api/v1/reports/agents?{period}"
    ana = day_of_presence["ana"]["_id"]
    assert await online(http, url, day_of_presence["admin"], ana) == seconds


async def test_a_lead_and_the_agent_see_the_same_time_online_without_any_conversation(
        day_of_presence: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    url = f"{base_url}/api/v1/reports/agents?from=2026-03-02&to=2026-03-03"
    ana = day_of_presence["ana"]["_id"]
    assert await online(http, url, day_of_presence["lead"], ana) == 3600 + 1800 + 3600 + 3600
    assert await online(http, url, day_of_presence["ana_token"], ana) == 3600 + 1800 + 3600 + 3600
