"""The pre-chat form on the hub's side: the fields an admin made required are checked again here (a clear
sentence naming each one), the name and email become the visitor's own contact's as claims (an email
claim opens nobody's history), the question is the first message, and a shown greeting joins the
timeline just before the visitor's first message."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from channels.base import WEBCHAT, Identity
from hub.runtime import Hub
from hub.store import contacts, messages
from tests.integration.webchat.chat_settings import admin, save_look
from tests.integration.webchat.conftest import customer_with_history
from tests.support.agents import Visitor

REQUIRED_EMAIL = {"prechat": "on", "fields.name": "optional", "fields.email": "required", "fields.question": "optional"}


async def test_a_required_email_is_asked_for_again_by_the_hub_with_a_sentence(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await save_look(http, base_url, await admin(hub, http, base_url), **REQUIRED_EMAIL)
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    await visitor.send({"type": "prechat", "name": "Sara", "email": "  ", "question": "hi"})
    missing = await visitor.receive("error")
    assert missing["code"] == "prechat" and missing["fields"] == ["email"]
    assert missing["error"] == "Please give your email address first."
    await visitor.send({"type": "prechat", "email": "not-an-address"})
    wrong = await visitor.receive("error")
    assert wrong["fields"] == ["email"] and "does not look like an email address" in wrong["error"]
    await visitor.send({"type": "message", "text": "skipping the form", "client_id": "skip-1"})
    skipped = await visitor.receive("error")
    assert skipped["code"] == "prechat" and skipped["client_id"] == "skip-1"
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 0
    await visitor.close()


async def test_the_forms_email_is_only_a_claim_and_shows_none_of_the_real_customers_history(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    ana = Visitor(http, base_url)
    ana_id = await customer_with_history(hub, ana, "ana@example.com", "my card ends 4242")
    await ana.close()
    await save_look(http, base_url, await admin(hub, http, base_url), **REQUIRED_EMAIL)

    stranger = Visitor(http2, base_url)
    await stranger.connect()
    await stranger.send({"type": "prechat", "name": "Not Ana", "email": "ANA@example.com",
                         "question": "what did I order?", "client_id": "q-1"})
    done = await stranger.receive("prechat_done")
    assert done["name"] == "Not Ana"
    ack = await stranger.receive("ack")
    assert ack["client_id"] == "q-1"
    await stranger.close()

    again = Visitor(http2, base_url)
    welcome = await again.connect(token=stranger.welcome["token"])
    assert [m["text"] for m in welcome["history"]] == ["what did I order?"]
    assert welcome["verified"] == []
    mine = await contacts.find_by_identity(hub.db, Identity(WEBCHAT, stranger.welcome["visitor_id"]))
    assert mine is not None and mine["_id"] != ana_id and mine["name"] == "Not Ana"
    assert [(c["kind"], c["value"]) for c in mine["claims"]] == [("email", "ana@example.com")]
    assert [i["kind"] for i in mine["identities"]] == ["webchat"]
    await again.close()


async def test_a_shown_greeting_joins_the_timeline_just_before_the_first_message(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await save_look(http, base_url, await admin(hub, http, base_url), greeting="Hi! How can we help?")
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    await visitor.send({"type": "message", "text": "where is my parcel?", "client_id": "g-1", "greeted": True})
    ack = await visitor.receive("ack")
    await visitor.send({"type": "message", "text": "and a second one", "client_id": "g-2", "greeted": True})
    await visitor.receive("ack")
    said = await messages.get(hub.db, ObjectId(ack["id"]))
    assert said is not None
    timeline = await hub.db["messages"].find({"conversation_id": said["conversation_id"]}).sort(
        "created_at", 1).to_list(20)
    shown = [(m["direction"], m.get("data", {}).get("type"), m["text"]) for m in timeline
             if m["direction"] == "in" or m.get("data", {}).get("type") == "greeting"]
    assert shown == [("event", "greeting", "The chat greeted the visitor: “Hi! How can we help?”"),
                     ("in", None, "where is my parcel?"), ("in", None, "and a second one")]
    await visitor.close()
