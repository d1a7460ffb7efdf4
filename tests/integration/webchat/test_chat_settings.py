"""Admin → Website chat settings: saved per hub, refused with a sentence when wrong, served to the widget
without secrets, and the department they name is where new chats go and whose hours the widget shows."""

from __future__ import annotations

import aiohttp
from bson import ObjectId

from channels.webchat.look import WidgetLook
from hub.runtime import Hub
from hub.store import conversations, webchat_look, webchat_sites
from tests.integration.webchat.chat_settings import admin, answering_department, closed_department, save_look
from tests.support.agents import Visitor, login, make_user


async def config(http: aiohttp.ClientSession, base_url: str) -> tuple[dict[str, object], aiohttp.ClientResponse]:
    async with http.get(f"{base_url}/webchat/config") as r:
        assert r.status == 200, await r.text()
        return await r.json(), r


async def test_saved_settings_reach_the_widgets_config_without_any_secret(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    sales = await answering_department(hub)
    await webchat_sites.rotate_secret(hub.db, hub.settings.ensure_secret_key(), sales["created_at"])
    saved = await save_look(http, base_url, csrf, colour="#AA3300", position="left", title="Acme help",
                            greeting="Hi! Ask us anything.", prechat="on", **{"fields.name": "required",
                            "fields.email": "optional", "fields.question": "off"}, department_id=str(sales["_id"]))
    assert saved.status == 303, saved.headers

    found, response = await config(http2, base_url)
    assert found["look"] == {"colour": "#aa3300", "position": "left", "title": "Acme help",
                             "greeting": "Hi! Ask us anything.", "prechat": True,
                             "fields": {"name": "required", "email": "optional", "question": "off"}}
    assert found["online"] is True and found["reply_within_seconds"] == 900
    assert found["form"] == {"shown": True, "fields": {"name": "required", "email": "optional", "question": "off"}}
    assert "public" in response.headers["Cache-Control"] and response.headers["Access-Control-Allow-Origin"] == "*"
    raw = str(found)
    assert str(sales["_id"]) not in raw and "secret" not in raw


async def test_a_wrong_setting_is_refused_with_a_sentence_and_nothing_changes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    for form, sentence in (({"colour": "red"}, "#RRGGBB"), ({"position": "top"}, "right or left"),
                           ({"fields.email": "maybe"}, "off, optional or required"),
                           ({"title": "x" * 61}, "under 60"),
                           ({"department_id": str(ObjectId())}, "no longer exists")):
        async with http.post(f"{base_url}/admin/webchat/look", data={"_csrf": csrf, **form}) as r:
            assert r.status == 400, form
            assert sentence in await r.text(), form
    assert (await webchat_look.look(hub.db)).as_doc() == WidgetLook().as_doc()


async def test_new_chats_go_to_the_chosen_department(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    sales = await answering_department(hub)
    await save_look(http, base_url, csrf, department_id=str(sales["_id"]))
    visitor = Visitor(http2, base_url)
    await visitor.connect()
    ack = await visitor.say("do you ship to Shiraz?", "c-1")
    message = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    assert conversation is not None and conversation["department_id"] == sales["_id"]
    await visitor.close()


async def test_outside_the_departments_hours_the_chat_is_offline_and_asks_for_the_email(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    night = await closed_department(hub)
    await save_look(http, base_url, csrf, department_id=str(night["_id"]))

    found, _ = await config(http2, base_url)
    assert found["online"] is False
    assert found["form"] == {"shown": True, "fields": {"name": "optional", "email": "required", "question": "off"}}

    visitor = Visitor(http2, base_url)
    await visitor.connect()
    await visitor.send({"type": "message", "text": "anyone there?", "client_id": "off-1"})
    refused = await visitor.receive("error")
    assert refused["code"] == "prechat" and refused["fields"] == ["email"] and refused["client_id"] == "off-1"
    assert "offline" in refused["error"] and "email" in refused["error"]
    assert await hub.db["messages"].count_documents({"direction": "in"}) == 0

    await visitor.send({"type": "prechat", "name": "Sara", "email": "sara@example.com"})
    await visitor.receive("prechat_done")
    ack = await visitor.say("anyone there?", "off-1")
    message = await hub.db["messages"].find_one({"_id": ObjectId(ack["id"])})
    assert message is not None
    conversation = await conversations.get(hub.db, message["conversation_id"])
    assert conversation is not None  # left offline, it is a normal conversation in the chosen department
    assert conversation["department_id"] == night["_id"] and conversation["status"] == "open"
    await visitor.close()


async def test_the_api_changes_only_the_settings_given_and_names_a_wrong_one(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    url, headers = f"{base_url}/api/v1/admin/webchat/look", {"X-CSRF-Token": csrf}
    async with http.put(url, json={"colour": "#123456", "fields": {"email": "required"}}, headers=headers) as r:
        assert r.status == 200, await r.text()
    async with http.put(url, json={"greeting": "Hello", "fields": {"phone": "required"}}, headers=headers) as r:
        refused = await r.json()
        assert r.status == 400 and refused["field"] == "fields"
        assert refused["error"] == "the pre-chat form has no field 'phone' (there are: name, email, question)"
    async with http.get(url) as r:
        shown = await r.json()
    assert (shown["colour"], shown["fields"]["email"], shown["fields"]["name"], shown["greeting"]) == (
        "#123456", "required", "optional", "")
    await make_user(hub.db, "agent@x.test")
    agent_csrf = await login(http2, base_url, "agent@x.test")
    async with http2.put(url, json={"colour": "#000000"}, headers={"X-CSRF-Token": agent_csrf}) as r:
        assert r.status == 403


async def test_a_form_with_every_field_off_is_not_shown(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await admin(hub, http, base_url)
    await save_look(http, base_url, csrf, prechat="on",
                    **{"fields.name": "off", "fields.email": "off", "fields.question": "off"})
    found, _ = await config(http2, base_url)
    assert found["look"]["prechat"] is True and found["form"]["shown"] is False  # type: ignore[index]
