"""Who sees which report numbers (admins all, leads their departments, agents their own), bad
parameters answered with a 400 and a sentence, and the CSV export of the same numbers."""

from __future__ import annotations

import aiohttp
import pytest

from hub.inbound.ingest import ingest
from hub.outbound import replies
from hub.runtime import Hub
from hub.store import conversations
from tests.integration.inbox.helpers import place
from tests.integration.routing.support import api, customer, department, token_for
from tests.support.agents import make_user


@pytest.fixture
async def people(hub: Hub) -> dict[str, object]:
    support = await department(hub, "Support")
    sales = await department(hub, "Sales")
    ana = await make_user(hub.db, "ana@x.test", departments=("Support",), name="Ana")
    ben = await make_user(hub.db, "ben@x.test", departments=("Sales",), name="Ben")
    lead = await make_user(hub.db, "lead@x.test", role="lead", departments=("Support",), name="Lea")
    for who, dept, agent in (("c1", support, ana), ("c2", sales, ben), ("c3", sales, ben)):
        chat = await ingest(hub, customer("hi", who))
        await place(hub, chat.conversation["_id"], department_id=dept["_id"], assignee_id=agent["_id"])
        fresh = await conversations.get(hub.db, chat.conversation["_id"])
        assert fresh is not None
        await replies.post(hub, agent, fresh, "hello")
    return {"support": support, "sales": sales, "ana": await token_for(hub, ana), "ben": ben,
            "lead": await token_for(hub, lead), "ana_user": ana}


async def first_responses(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    status, got = await api(http, "GET", url, headers)
    assert status == 200, got
    return int(got["counts"]["first_response"])


async def test_a_lead_sees_their_departments_and_an_agent_their_own_work(
        people: dict[str, object], http: aiohttp.ClientSession, base_url: str) -> None:
    url = f"{base_url}/api/v1/reports/overview"
    assert await first_responses(http, url, people["lead"]) == 1  # type: ignore[arg-type]
    assert await first_responses(http, url, people["ana"]) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("who, query", [
    ("lead", "department={sales}"),
    ("ana", "agent={ben}"),
])
async def test_asking_outside_ones_scope_is_forbidden(
        people: dict[str, object], http: aiohttp.ClientSession, base_url: str, who: str, query: str) -> None:
    filled = query.format(sales=people["sales"]["_id"], ben=people["ben"]["_id"])  # type: ignore[index]
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{filled}", people[who])  # type: ignore[arg-type]
    assert status == 403, got
    assert "report" in got["error"]


@pytest.mark.parametrize("query, word", [
    ("from=yesterday", "from"), ("to=2026-02-30", "to"), ("from=2026-03-05&to=2026-03-01", "before"),
    ("tz=Mars/Olympus", "time zone"), ("department=nope", "department"), ("priority=asap", "priority"),
    ("from=2020-01-01&to=2026-01-01", "at most"),
])
async def test_bad_parameters_are_a_400_with_a_sentence(
        people: dict[str, object], http: aiohttp.ClientSession, base_url: str, query: str, word: str) -> None:
    status, got = await api(http, "GET", f"{base_url}/api/v1/reports/overview?{query}", people["lead"])  # type: ignore[arg-type]
    assert status == 400, got
    assert word in got["error"]


async def test_a_bad_metric_bucket_or_report_is_a_400(
        people: dict[str, object], http: aiohttp.ClientSession, base_url: str) -> None:
    for path in ("timeseries?metric=happiness", "timeseries?bucket=fortnight", "export.csv?report=secrets"):
        status, got = await api(http, "GET", f"{base_url}/api/v1/reports/{path}", people["lead"])  # type: ignore[arg-type]
        assert status == 400 and "must be one of" in got["error"], (path, got)


async def test_the_agents_table_exports_as_csv_with_the_same_numbers(
        people: dict[str, object], http: aiohttp.ClientSession, base_url: str) -> None:
    status, text = await api(http, "GET", f"{base_url}/api/v1/reports/export.csv?report=agents",
                             people["lead"])  # type: ignore[arg-type]
    assert status == 200
    header, *rows = text.strip().splitlines()
    assert header.split(",")[:3] == ["agent_id", "resolved", "first_responses"]
    assert [r.split(",")[0] for r in rows] == [str(people["ana_user"]["_id"])]  # type: ignore[index]
