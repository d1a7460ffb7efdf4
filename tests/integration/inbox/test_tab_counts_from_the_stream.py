"""The tabs' counts come from each process's tally of the change stream, and they agree with counting in the
database after any mix of writes: new conversations, assignment, transfer, snooze, resolve, reopen, through
the API agents use. A hub whose tally was never loaded counts in the database and gives the same numbers."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import inbox_views
from tests.integration.inbox.helpers import arrive, department, place
from tests.integration.routing.support import api, token_for
from tests.support.agents import make_user
from tests.support.polling import poll_until

STATUSES = ("open", "pending", "snoozed")


Counts = dict[str, dict[str, int]]


async def _both(hub: Hub, user: dict[str, object], views: list[str]) -> tuple[Counts, Counts]:
    tallied: Counts = {}
    counted: Counts = {}
    for status in STATUSES:
        tallied[status] = await inbox_views.counts(hub.db, user, views, status, tally=hub.events.tally)
        counted[status] = await inbox_views.counts(hub.db, user, views, status)
    return tallied, counted


async def test_the_tally_agrees_with_the_database_after_moves_snoozes_and_resolves(
        hub: Hub, base_url: str, http: aiohttp.ClientSession) -> None:
    async def loaded() -> bool:
        return hub.events.tally.ready

    await poll_until(loaded, "the tally's first snapshot")
    lead = await make_user(hub.db, "lena@x.test", role="lead", name="Lena", departments=("Support", "Sales"))
    ana = await make_user(hub.db, "ana@x.test", name="Ana", departments=("Support",))
    support, sales = await department(hub, "Support"), await department(hub, "Sales")
    chats = [await arrive(hub, f"question {i}", f"v-{i}", name=f"Customer {i}") for i in range(8)]
    ids = [c.conversation["_id"] for c in chats]
    for conversation_id in ids:
        await place(hub, conversation_id, department_id=support, routed=True)
    headers = await token_for(hub, lead)
    url = f"{base_url}/api/v1/conversations"
    steps = [(ids[0], "/assign", {"assignee_id": str(ana["_id"])}), (ids[1], "/assign", {"assignee_id": "me"}),
             (ids[2], "/transfer", {"department_id": str(sales)}), (ids[3], "/status", {"status": "resolved"}),
             (ids[4], "/status", {"status": "pending"}),
             (ids[5], "/snooze", {"until": (utcnow() + timedelta(days=3)).isoformat()}),
             (ids[3], "/status", {"status": "open"}), (ids[6], "/status", {"status": "resolved"})]
    for conversation_id, path, body in steps:
        status, answer = await api(http, "POST", f"{url}/{conversation_id}{path}", headers, json=body)
        assert status == 200, (path, answer)
    views = [key for key, _ in inbox_views.view_names(lead, [{"_id": support}, {"_id": sales}])]

    async def agreed() -> tuple[Counts, Counts] | None:
        tallied, counted = await _both(hub, lead, views)
        return (tallied, counted) if tallied == counted else None

    _, counted = await poll_until(agreed, "the tally to agree with the database")
    # Open: the two assigned, the transferred one, the reopened one and the untouched one.
    assert [counted[s]["all"] for s in STATUSES] == [5, 1, 1]
    assert counted["open"]["mine"] == 1
    assert hub.events.tally.count({}, "open") == 5  # the tally itself answered, not the database

    # Not loaded (a process whose stream is down): the same numbers, counted in the database.
    from hub.store.view_tally import ViewTally

    assert await inbox_views.counts(hub.db, lead, views, "open", tally=ViewTally()) == counted["open"]
