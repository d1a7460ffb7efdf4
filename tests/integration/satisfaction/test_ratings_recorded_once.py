"""A customer's rating through the one entry every channel uses: stored once per conversation (the first
score stands, even when two answers race), a line on the timeline, a low score tells the department's lead
and nobody is told of a good one; a score that is not 1 to 5 is refused with a sentence."""

from __future__ import annotations

import asyncio

import pytest

from hub import names as model
from hub.errors import BadInput
from hub.inbound.ratings import record_rating
from hub.runtime import Hub
from hub.store.documents import Conversation
from tests.integration.inbox.helpers import arrive, place
from tests.integration.routing.support import department
from tests.support.agents import make_user


async def resolved_support_conversation(hub: Hub, who: str, lead_id: object = None) -> Conversation:
    chat = await arrive(hub, "my parcel is late", who, name="Mina Customer")
    support = await department(hub, "Support", lead_id=lead_id)
    await place(hub, chat.conversation["_id"], department_id=support["_id"], status="resolved")
    return chat.conversation


async def test_the_first_rating_stands_and_a_later_one_only_adds_the_missing_comment(hub: Hub) -> None:
    conversation = await resolved_support_conversation(hub, "v-first")
    first = await record_rating(hub, conversation["_id"], 5, None, "webchat")
    again = await record_rating(hub, conversation["_id"], "1", "  actually slow  ", "sms")

    assert first.new and not again.new
    stored = await hub.db[model.CSAT_RESPONSES].find({"conversation_id": conversation["_id"]}).to_list(5)
    assert [(r["score"], r["comment"], r["channel"]) for r in stored] == [(5, "actually slow", "webchat")]
    events = await hub.db[model.MESSAGES].find({"conversation_id": conversation["_id"],
                                                "data.type": "rating"}).to_list(5)
    assert [e["data"]["score"] for e in events] == [5]


async def test_two_answers_racing_store_one_rating(hub: Hub) -> None:
    conversation = await resolved_support_conversation(hub, "v-race")
    results = await asyncio.gather(*(record_rating(hub, conversation["_id"], score, None, "telegram")
                                     for score in (2, 3, 4, 5)))
    assert sum(r.new for r in results) == 1
    assert await hub.db[model.CSAT_RESPONSES].count_documents({"conversation_id": conversation["_id"]}) == 1


async def test_a_low_score_notifies_the_department_lead_and_a_good_one_nobody(hub: Hub) -> None:
    lead = await make_user(hub.db, "lead@x.test", role="lead", name="Lena")
    low = await resolved_support_conversation(hub, "v-low", lead_id=lead["_id"])
    high = await resolved_support_conversation(hub, "v-high", lead_id=lead["_id"])
    await record_rating(hub, high["_id"], 4, "fine", "webchat")
    await record_rating(hub, low["_id"], 2, "nobody answered", "webchat")

    told = await hub.db[model.NOTIFICATIONS].find({"user_id": lead["_id"]}).to_list(5)
    assert [(n["kind"], n["conversation_id"]) for n in told] == [("csat_alert", low["_id"])]


@pytest.mark.parametrize("score", [0, 6, "five", "", None, True, 2.5, "3.0"])
async def test_a_score_outside_one_to_five_is_refused_and_nothing_is_stored(hub: Hub, score: object) -> None:
    conversation = await resolved_support_conversation(hub, "v-bad")
    with pytest.raises(BadInput, match="from 1 to 5"):
        await record_rating(hub, conversation["_id"], score, None, "sms")
    assert await hub.db[model.CSAT_RESPONSES].count_documents({}) == 0
