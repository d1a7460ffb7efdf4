"""Random traffic with known timings across channels, departments and agents, through the hub's own paths:
every report number equals the same number recomputed here, independently, from the raw timeline."""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from hub import names as model
from hub.runtime import Hub
from hub.store import report_rollups
from routing.hours import hours_open
from routing.model import BusinessHours
from routing.policy_io import department_from_dict
from tests.integration.reports.traffic import START, Timeline, generate
from tests.integration.routing.support import api, department, token_for
from tests.support.agents import make_user
from tests.support.clock import install

BERLIN_HOURS = {"timezone": "Europe/Berlin",
                "weekly": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                "holidays": ["2026-03-06"]}
SLA = {"normal": {"first_response": 3600, "resolution": 6 * 3600}, "high": {"first_response": 900}}
KIND_OF = {"first_response": "first_response", "next_response": "next_response", "resolution": "resolved"}


def open_seconds(hours: BusinessHours | None, start: datetime, end: datetime) -> float:
    """Business seconds the slow way: cut at every whole UTC quarter hour and ask whether each piece is open."""
    if hours is None:
        return (end - start).total_seconds()
    total, cursor = 0.0, start
    while cursor < end:
        step = cursor.replace(minute=cursor.minute // 15 * 15, second=0, microsecond=0) + timedelta(minutes=15)
        piece_end = min(step, end)
        if hours_open(hours, cursor):
            total += (piece_end - cursor).total_seconds()
        cursor = piece_end
    return total


def summary(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"count": 0, "average": None, "median": None, "p90": None}
    ordered = sorted(values)
    rank = -(-9 * len(ordered) // 10)  # ceil(0.9 n), nearest rank
    return {"count": len(values), "average": round(statistics.fmean(values), 3),
            "median": statistics.median(ordered), "p90": ordered[rank - 1]}


@pytest.fixture
async def traffic(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    clock = install(monkeypatch, START)
    support = await department(hub, "Support", hours=BERLIN_HOURS, sla=SLA)
    sales = await department(hub, "Sales", sla={"normal": {"first_response": 1800}})
    agents = [await make_user(hub.db, f"agent{i}@x.test", departments=("Support", "Sales"), name=f"Agent {i}")
              for i in range(3)]
    timelines = await generate(hub, clock, random.Random(1414), [support, sales], agents, 28)
    admin = await make_user(hub.db, "admin@x.test", role="admin", name="Ada")
    return {"timelines": timelines, "support": support, "sales": sales, "agents": agents,
            "admin": await token_for(hub, admin)}


def expected_events(traffic: dict[str, Any]) -> list[dict[str, Any]]:
    hours = {d["_id"]: department_from_dict({"id": "x", "hours": d["hours"]}).hours if d.get("hours") else None
             for d in (traffic["support"], traffic["sales"])}
    out = []
    line: Timeline
    for line in traffic["timelines"]:
        for kind, at, since in line.events:
            out.append({"kind": kind, "at": at, "conversation_id": line.conversation_id,
                        "department_id": line.department_id, "agent_id": line.agent_id, "channel": line.channel,
                        "priority": line.priority, "labels": line.labels,
                        "wall": (at - since).total_seconds(),
                        # The SLA clock: open time, less the open time of the snoozes it spans.
                        "business": open_seconds(hours[line.department_id], since, at) - sum(
                            open_seconds(hours[line.department_id], max(a, since), min(b, at))
                            for a, b in line.snoozes if min(b, at) > max(a, since))})
    return out


def expected_messages(traffic: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"kind": kind, "at": at, "conversation_id": line.conversation_id, "channel": line.channel,
             "department_id": department_id, "agent_id": agent_id, "labels": labels, "priority": priority}
            for line in traffic["timelines"] for kind, at, department_id, agent_id, labels, priority in line.messages]


def period(traffic: dict[str, Any]) -> str:
    first = traffic["timelines"][0].created_at.date() - timedelta(days=1)
    last = max(at for line in traffic["timelines"] for _, at, _ in line.events).date() + timedelta(days=1)
    return f"from={first.isoformat()}&to={last.isoformat()}"


async def test_overview_counts_and_durations_equal_the_raw_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    events = expected_events(traffic)
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{period(traffic)}", traffic["admin"])
    assert status == 200, got
    kinds = Counter(e["kind"] for e in events) + Counter(m["kind"] for m in expected_messages(traffic))
    assert got["counts"] == {"created": len(traffic["timelines"]), "resolved": kinds["resolved"],
                             "reopened": kinds["reopened"], "first_response": kinds["first_response"],
                             "next_response": kinds["next_response"], "messages_in": kinds["message_in"],
                             "messages_out": kinds["message_out"]}
    assert kinds["reopened"] > 0 and kinds["next_response"] > 0, "the traffic exercises every kind"
    for metric, kind in KIND_OF.items():
        mine = [e for e in events if e["kind"] == kind]
        assert got["speed"][metric]["wall"] == summary([e["wall"] for e in mine]), metric
        assert got["speed"][metric]["business"] == summary([e["business"] for e in mine]), metric


@pytest.mark.parametrize("field", ["department", "channel", "agent", "label"])
async def test_each_filter_narrows_to_the_same_numbers_as_the_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str, field: str) -> None:
    events = expected_events(traffic)
    value, keep = {
        "department": (str(traffic["support"]["_id"]), lambda e: e["department_id"] == traffic["support"]["_id"]),
        "channel": ("sms", lambda e: e["channel"] == "sms"),
        "agent": (str(traffic["agents"][1]["_id"]), lambda e: e["agent_id"] == traffic["agents"][1]["_id"]),
        "label": ("billing", lambda e: "billing" in e["labels"]),
    }[field]
    url = f"{base_url}/api/v1/reports/overview?{period(traffic)}&{field}={value}"
    status, got = await api(http, "GET", url, traffic["admin"])
    assert status == 200, got
    mine = [e for e in events if keep(e)]
    assert got["counts"]["resolved"] == sum(e["kind"] == "resolved" for e in mine) > 0
    said = [m for m in expected_messages(traffic) if keep(m)]
    assert got["counts"]["messages_in"] == sum(m["kind"] == "message_in" for m in said) > 0
    assert got["counts"]["messages_out"] == sum(m["kind"] == "message_out" for m in said) > 0
    for metric, kind in KIND_OF.items():
        assert got["speed"][metric]["business"] == summary([e["business"] for e in mine if e["kind"] == kind])


async def test_daily_series_in_a_time_zone_and_the_heat_map_equal_the_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    tehran = ZoneInfo("Asia/Tehran")
    created = [line.created_at.astimezone(tehran) for line in traffic["timelines"]]
    url = f"{base_url}/api/v1/reports/timeseries?{period(traffic)}&tz=Asia/Tehran&metric=created&bucket=day"
    status, got = await api(http, "GET", url, traffic["admin"])
    assert status == 200, got
    assert {p["bucket"]: p["count"] for p in got["points"]} == dict(Counter(c.strftime("%Y-%m-%d") for c in created))
    status, overview = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{period(traffic)}&tz=Asia/Tehran",
                                 traffic["admin"])
    cells = Counter((c.weekday(), c.hour) for c in created)
    assert overview["heat_map"] == [[cells[(d, h)] for h in range(24)] for d in range(7)]
    url = f"{base_url}/api/v1/reports/timeseries?{period(traffic)}&metric=first_response&bucket=week"
    status, weekly = await api(http, "GET", url, traffic["admin"])
    by_week: dict[str, list[float]] = defaultdict(list)
    for e in expected_events(traffic):
        if e["kind"] == "first_response":
            monday = (e["at"] - timedelta(days=e["at"].weekday())).date()
            by_week[monday.isoformat()].append(e["wall"])
    assert [(p["bucket"], p["median"]) for p in weekly["points"]] == [
        (week, statistics.median(values)) for week, values in sorted(by_week.items())]


async def test_agents_and_sla_tables_equal_the_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    events = expected_events(traffic)
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/agents?{period(traffic)}", traffic["admin"])
    assert status == 200, got
    for agent in traffic["agents"]:
        row = next(r for r in got["agents"] if r["agent_id"] == str(agent["_id"]))
        mine = [e for e in events if e["agent_id"] == agent["_id"]]
        firsts = [e["wall"] for e in mine if e["kind"] == "first_response"]
        assert row["resolved"] == sum(e["kind"] == "resolved" for e in mine)
        assert row["first_responses"] == len(firsts)
        assert row["median_first_response"] == (statistics.median(firsts) if firsts else None)
        assert row["assigned"] == sum(line.agent_id == agent["_id"] for line in traffic["timelines"])

    status, sla = await api(http, "GET", f"{base_url}/api/v1/reports/sla?{period(traffic)}", traffic["admin"])
    assert status == 200, sla
    names = {traffic["support"]["_id"]: "Support", traffic["sales"]["_id"]: "Sales"}
    targets = {"Support": SLA, "Sales": {"normal": {"first_response": 1800}}}
    expected: dict[tuple[str, str, str], list[int]] = {}
    breaches = 0
    for e in sorted(events, key=lambda e: e["at"]):
        what = {"first_response": "first_response", "resolved": "resolution"}.get(e["kind"])
        name = names[e["department_id"]]
        limit = targets[name].get(e["priority"], {}).get(what or "")
        if what is None or limit is None:
            continue
        tally = expected.setdefault((name, e["priority"], what), [0, 0])
        tally[1] += 1
        tally[0] += e["business"] <= limit
        breaches += e["business"] > limit
    assert {(t["department"], t["priority"], t["target"]): [t["met"], t["total"]] for t in sla["targets"]} == expected
    assert sla["breach_count"] == breaches > 0
    assert all(b["seconds"] > b["target_seconds"] for b in sla["breaches"])


async def test_messages_in_and_out_per_channel_department_agent_and_day_equal_the_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    said = expected_messages(traffic)
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/messages?{period(traffic)}", traffic["admin"])
    assert status == 200, got
    for side, field in (("channel", "channel"), ("department", "department_id"), ("agent", "agent_id")):
        expected: dict[str, dict[str, int]] = defaultdict(lambda: {"in": 0, "out": 0})
        for m in said:
            key = m[field] if m[field] is None else str(m[field])
            expected[key]["in" if m["kind"] == "message_in" else "out"] += 1  # type: ignore[index]
        assert {r[side]: {"in": r["in"], "out": r["out"]} for r in got[f"by_{side}"]} == expected, side
    tehran = ZoneInfo("Asia/Tehran")
    for metric, kind in (("messages_in", "message_in"), ("messages_out", "message_out")):
        url = f"{base_url}/api/v1/reports/timeseries?{period(traffic)}&tz=Asia/Tehran&metric={metric}&bucket=day"
        status, series = await api(http, "GET", url, traffic["admin"])
        assert status == 200, series
        days = Counter(m["at"].astimezone(tehran).strftime("%Y-%m-%d") for m in said if m["kind"] == kind)
        assert {p["bucket"]: p["count"] for p in series["points"]} == dict(days), metric


async def behind(http: aiohttp.ClientSession, base_url: str, traffic: dict[str, Any], query: str) -> set[str]:
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/conversations?{period(traffic)}&{query}",
                            traffic["admin"])
    assert status == 200, got
    assert got["total"] == got["shown"] == len(got["conversations"])
    assert all(c["url"] == f"/inbox/c/{c['id']}" for c in got["conversations"])
    return {c["id"] for c in got["conversations"]}


async def test_every_number_drills_down_to_exactly_the_conversations_it_counts(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str) -> None:
    happened = expected_events(traffic) + expected_messages(traffic)
    ana = traffic["agents"][1]["_id"]
    for metric, kind in (*KIND_OF.items(), ("resolved", "resolved"), ("reopened", "reopened"),
                         ("messages_in", "message_in"), ("messages_out", "message_out")):
        expected = {str(e["conversation_id"]) for e in happened if e["kind"] == kind}
        assert await behind(http, base_url, traffic, f"metric={metric}") == expected, metric
        mine = {str(e["conversation_id"]) for e in happened if e["kind"] == kind and e["agent_id"] == ana}
        assert await behind(http, base_url, traffic, f"metric={metric}&agent={ana}") == mine, metric
    lines = traffic["timelines"]
    assert await behind(http, base_url, traffic, "metric=created") == {str(line.conversation_id) for line in lines}
    assert await behind(http, base_url, traffic, f"metric=assigned&agent={ana}") == {
        str(line.conversation_id) for line in lines if line.agent_id == ana}
    status, sla = await api(http, "GET", f"{base_url}/api/v1/reports/sla?{period(traffic)}", traffic["admin"])
    for target in ("first_response", "resolution"):
        breached = {str(b["conversation_id"]) for b in sla["breaches"] if b["target"] == target}
        assert await behind(http, base_url, traffic, f"metric=breaches_{target}") == breached, target
    support = traffic["support"]["_id"]
    expected = {str(e["conversation_id"]) for e in happened if e["kind"] == "first_response"
                and e["department_id"] == support and e["priority"] == "high"}
    assert await behind(http, base_url, traffic,
                        f"metric=sla_first_response&department={support}&priority=high") == expected > set()
    assert await behind(http, base_url, traffic, "metric=resolved") == {str(line.conversation_id) for line in lines}
    for query in ("metric=happiness", "metric=created&score=5", "metric=csat&score=9"):
        status, got = await api(http, "GET", f"{base_url}/api/v1/reports/conversations?{query}", traffic["admin"])
        assert status == 400 and ("metric" in got["error"] or "score" in got["error"]), query


@pytest.mark.parametrize("zone, bucket", [("UTC", "day"), ("Asia/Tehran", "hour")])
async def test_the_backlog_over_time_equals_the_statuses_of_the_timeline(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str, zone: str, bucket: str) -> None:
    url = f"{base_url}/api/v1/reports/timeseries?{period(traffic)}&tz={zone}&metric=backlog&bucket={bucket}"
    status, got = await api(http, "GET", url, traffic["admin"])
    assert status == 200, got
    tz = ZoneInfo(zone)
    first = datetime.fromisoformat(got["filter"]["from"]).replace(tzinfo=tz)
    last = datetime.fromisoformat(got["filter"]["to"]).replace(tzinfo=tz) + timedelta(days=1)
    step = timedelta(days=1) if bucket == "day" else timedelta(hours=1)
    ends = [first + step * (i + 1) for i in range(int((last - first) / step))]
    expected = []
    for end in ends:
        tally = {"open": 0, "pending": 0, "snoozed": 0}
        for line in traffic["timelines"]:
            before = [s for at, s in line.statuses if at < end]
            if before and before[-1] in tally:
                tally[before[-1]] += 1
        expected.append(tally)
    assert [{k: p[k] for k in ("open", "pending", "snoozed")} for p in got["points"]] == expected
    assert len({p["bucket"] for p in got["points"]}) == len(ends)
    seen = {k for tally in expected for k, v in tally.items() if v}
    assert seen == {"open", "pending", "snoozed"}, "the traffic leaves conversations in every status at some point"


async def test_rollups_kept_on_write_equal_a_rebuild_from_the_events(
        traffic: dict[str, Any], http: aiohttp.ClientSession, base_url: str, hub: Hub) -> None:
    def contents(docs: list[dict[str, Any]]) -> dict[str, int]:
        return {d["_id"]: d["n"] for d in docs if d["_id"] != report_rollups.BUILT}

    kept = contents(await hub.db[model.REPORT_ROLLUPS].find().to_list(None))
    status, before = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{period(traffic)}", traffic["admin"])
    assert await report_rollups.rebuild(hub.db) == len(kept) > 0
    assert contents(await hub.db[model.REPORT_ROLLUPS].find().to_list(None)) == kept
    status, after = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{period(traffic)}", traffic["admin"])
    assert status == 200 and after == before


def test_the_reference_business_clock_is_not_the_one_under_test() -> None:
    hours = department_from_dict({"id": "x", "hours": BERLIN_HOURS}).hours
    friday_evening = datetime(2026, 3, 13, 15, 30, tzinfo=UTC)  # 16:30 in Berlin
    assert open_seconds(hours, friday_evening, friday_evening + timedelta(days=3)) == 30 * 60 + 8 * 3600 - 30 * 60
