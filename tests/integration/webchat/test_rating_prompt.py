"""The website chat's rating prompt: a resolve (when the department asks) sends the visitor a prompt the
widget draws as stars; their answer is stored like every channel's (once, on the timeline, counted in the
CSAT report), a 1 or 2 tells the department's lead, and a department that does not ask sends nothing."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from hub import names as model
from hub.runtime import Hub
from hub.store import messages, users
from tests.integration.csat.helpers import set_status, turn_on_survey
from tests.support.agents import Visitor, login, make_user


async def resolved_chat(hub: Hub, base_url: str, http: aiohttp.ClientSession, visitor: Visitor,
                        survey: bool = True) -> ObjectId:
    """The visitor asks, an admin (with the survey on or off) resolves the conversation."""
    await visitor.connect()
    ack = await visitor.say("my parcel never came", "p-1")
    said = await messages.get(hub.db, ObjectId(ack["id"]))
    assert said is not None
    if survey:
        csrf = await turn_on_survey(hub, http, base_url, delay=0)
    else:
        await make_user(hub.db, "root@x.test", role="admin")
        csrf = await login(http, base_url, "root@x.test")
    await hub.db[model.CONVERSATIONS].update_one({"_id": said["conversation_id"]}, {"$set": {
        "department_id": (await users.department_by_name(hub.db, "Support") or {}).get("_id")}})
    await set_status(http, base_url, csrf, str(said["conversation_id"]), "resolved")
    return ObjectId(said["conversation_id"])


async def test_a_resolve_brings_the_prompt_and_the_stars_are_stored_once_like_every_channels_rating(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    lead = await make_user(hub.db, "lead@x.test", role="lead", name="Lena")
    visitor = Visitor(http2, base_url)
    conversation_id = await resolved_chat(hub, base_url, http, visitor)
    support = await users.department_by_name(hub.db, "Support")
    assert support is not None
    await hub.db[model.DEPARTMENTS].update_one({"_id": support["_id"]}, {"$set": {"lead_id": lead["_id"]}})

    prompt = (await visitor.receive("message"))["message"]
    assert prompt["survey"] == "csat" and prompt["rated"] is None and prompt["direction"] == "out"
    await visitor.send({"type": "rating", "survey_id": prompt["id"], "score": 2, "comment": "took a week"})
    rated = await visitor.receive("rated")
    assert rated == {"type": "rated", "survey_id": prompt["id"], "score": 2, "first": True}

    await visitor.send({"type": "rating", "survey_id": prompt["id"], "score": 5})
    again = await visitor.receive("rated")
    assert again["score"] == 2 and again["first"] is False  # asked once: the first answer stands
    stored = await hub.db[model.CSAT_RESPONSES].find({"conversation_id": conversation_id}).to_list(5)
    assert [(r["score"], r["comment"], r["channel"]) for r in stored] == [(2, "took a week", "webchat")]
    lines = await hub.db[model.MESSAGES].find({"conversation_id": conversation_id, "data.type": "rating"}).to_list(5)
    assert [line["text"] for line in lines] == ["The customer rated this conversation 2 of 5. “took a week”"]
    told = await hub.db[model.NOTIFICATIONS].find({"user_id": lead["_id"]}).to_list(5)
    assert [(n["kind"], n["conversation_id"]) for n in told] == [("csat_alert", conversation_id)]
    async with http.get(f"{base_url}/api/v1/reports/csat", params={"channel": "webchat"}) as r:
        report = await r.json()
        assert r.status == 200, report
    assert report["responses"] == 1 and report["distribution"]["2"] == 1

    await visitor.close()
    back = Visitor(http2, base_url)
    welcome = await back.connect(token=visitor.welcome["token"])
    shown = [m for m in welcome["history"] if m.get("survey")]
    assert [(m["id"], m["rated"]) for m in shown] == [(prompt["id"], 2)]  # a reload shows thanks, not stars
    await back.close()


async def test_a_visitor_cannot_rate_a_prompt_another_contact_was_sent(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http2, base_url)
    await resolved_chat(hub, base_url, http, visitor)
    prompt = (await visitor.receive("message"))["message"]
    async with aiohttp.ClientSession() as other_http:
        other = Visitor(other_http, base_url)
        await other.connect()
        await other.send({"type": "rating", "survey_id": prompt["id"], "score": 1})
        refused = await other.receive("error")
        assert refused["error"] == "that rating prompt is not one this chat was sent"
        await other.close()
    assert await hub.db[model.CSAT_RESPONSES].count_documents({}) == 0
    await visitor.close()


async def test_a_department_that_does_not_ask_sends_no_prompt(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http2, base_url)
    conversation_id = await resolved_chat(hub, base_url, http, visitor, survey=False)
    # The resolve queues a survey before it answers (hub/actions/conversations.py), or never.
    sent = await hub.db[model.MESSAGES].count_documents({"conversation_id": conversation_id, "extras.survey": "csat"})
    assert sent == 0
    await visitor.close()


async def test_the_prompt_waits_for_the_departments_delay(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    ack = await visitor.say("my parcel never came", "p-1")
    said = await messages.get(hub.db, ObjectId(ack["id"]))
    assert said is not None
    csrf = await turn_on_survey(hub, http, base_url, delay=3600)
    await set_status(http, base_url, csrf, str(said["conversation_id"]), "resolved")
    prompt = await hub.db[model.MESSAGES].find_one({"conversation_id": said["conversation_id"],
                                                    "extras.survey": "csat"})
    assert prompt is not None and prompt["channel"] == "webchat" and prompt["status"] == "queued"
    assert (prompt["next_attempt_at"] - prompt["created_at"]).total_seconds() == 3600
    await visitor.close()
