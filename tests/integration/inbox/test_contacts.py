"""Contacts: profiles, admin-defined attributes, tags, duplicate suggestions, and merge with undo."""

from __future__ import annotations

import aiohttp

from channels.base import Identity
from hub import names as model
from hub.runtime import Hub
from hub.store import contacts
from tests.integration.inbox.helpers import arrive, department, place
from tests.support.agents import login, make_user


async def test_admin_defines_fields_and_agents_fill_them_with_checked_values(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "admin@x.test", role="admin", departments=())
    await make_user(hub.db, "ana@x.test")
    admin_csrf = await login(http, base_url, "admin@x.test")
    agent_csrf = await login(http2, base_url, "ana@x.test")
    api = f"{base_url}/api/v1/custom-fields"
    for definition in ({"key": "plan", "label": "Plan", "type": "choice", "choices": ["free", "pro"]},
                       {"key": "seats", "label": "Seats", "type": "number"},
                       {"key": "renewal", "label": "Renewal", "type": "date"},
                       {"key": "city", "label": "شهر", "type": "text"}):
        async with http.post(api, json=definition, headers={"X-CSRF-Token": admin_csrf}) as r:
            assert r.status == 201, await r.text()
    for bad, reason in (({"key": "Plan!", "label": "x", "type": "text"}, "'key' must be"),
                        ({"key": "plan", "label": "Plan", "type": "text"}, "already exists"),
                        ({"key": "tier", "label": "Tier", "type": "choice"}, "needs 'choices'"),
                        ({"key": "tier", "label": "Tier", "type": "colour"}, "'type' must be")):
        async with http.post(api, json=bad, headers={"X-CSRF-Token": admin_csrf}) as r:
            assert r.status == 400 and reason in (await r.json())["error"]
    async with http2.post(api, json={"key": "x", "label": "X", "type": "text"},
                          headers={"X-CSRF-Token": agent_csrf}) as r:
        assert r.status == 403

    result = await arrive(hub, "hi", "v-attr", name="Sara")
    url = f"{base_url}/api/v1/contacts/{result.contact['_id']}"
    good = {"plan": "pro", "seats": "12", "renewal": "2027-01-31", "city": "تهران"}
    async with http2.post(f"{url}/attributes", json=good, headers={"X-CSRF-Token": agent_csrf}) as r:
        assert r.status == 200, await r.text()
        assert (await r.json())["attributes"] == {"plan": "pro", "seats": 12, "renewal": "2027-01-31",
                                                  "city": "تهران"}
    for bad, reason in (({"seats": "twelve"}, "Seats must be a number"), ({"plan": "gold"}, "Plan must be one of"),
                        ({"renewal": "31/01/2027"}, "Renewal must be a date"), ({"colour": "red"}, "no custom field")):
        async with http2.post(f"{url}/attributes", json={**bad, "city": "شیراز"},
                              headers={"X-CSRF-Token": agent_csrf}) as r:
            assert r.status == 400 and reason in (await r.json())["error"]
    stored = await contacts.get(hub.db, result.contact["_id"])
    assert stored is not None and stored["attributes"]["city"] == "تهران"  # a bad value changes nothing
    async with http2.post(f"{url}/tags", data={"tags": "vip, wholesale, vip"},
                          headers={"X-CSRF-Token": agent_csrf}) as r:
        assert (await r.json())["tags"] == ["vip", "wholesale"]
    async with http2.get(f"{base_url}/inbox/contacts/{result.contact['_id']}") as r:
        page = await r.text()
    assert 'value="تهران" dir="auto"' in page and "vip, wholesale" in page


async def test_profile_lists_only_conversations_the_agent_may_see(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "ana@x.test", departments=("Support",))
    first = await arrive(hub, "first question", "v-p")
    await place(hub, first.conversation["_id"], department_id=await department(hub, "Sales"), status="resolved")
    await hub.db[model.CONVERSATIONS].update_one({"_id": first.conversation["_id"]}, {"$unset": {"active": ""}})
    second = await arrive(hub, "second question", "v-p")
    await place(hub, second.conversation["_id"], department_id=await department(hub, "Support"))
    await login(http, base_url, "ana@x.test")
    async with http.get(f"{base_url}/api/v1/contacts/{first.contact['_id']}") as r:
        listed = [c["id"] for c in (await r.json())["conversations"]]
    assert listed == [str(second.conversation["_id"])]


async def test_lead_merges_a_suggested_duplicate_and_undoes_it(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    await make_user(hub.db, "ana@x.test")
    chat = await arrive(hub, "سلام from the website", "v-m", name="Reza Ahmadi")
    mail = await arrive(hub, "the same person by email", "reza.ahmadi@example.com", channel="email",
                        name="Reza Ahmadi")
    lead_csrf = await login(http, base_url, "lead@x.test")
    agent_csrf = await login(http2, base_url, "ana@x.test")
    async with http.get(f"{base_url}/api/v1/contacts/{chat.contact['_id']}") as r:
        profile = await r.json()
    assert [d["id"] for d in profile["duplicates"]] == [str(mail.contact["_id"])]
    assert profile["duplicates"][0]["conflicts"] == []

    merge = {"source_id": str(mail.contact["_id"]), "target_id": str(chat.contact["_id"])}
    async with http2.post(f"{base_url}/api/v1/contacts/merge", json=merge, headers={"X-CSRF-Token": agent_csrf}) as r:
        assert r.status == 403
    async with http.post(f"{base_url}/api/v1/contacts/merge", json=merge, headers={"X-CSRF-Token": lead_csrf}) as r:
        assert r.status == 201, await r.text()
        record = await r.json()
    target = await contacts.get(hub.db, chat.contact["_id"])
    assert target is not None
    assert {"kind": "email", "value": "reza.ahmadi@example.com"} in target["identities"]
    moved = await hub.db[model.CONVERSATIONS].find_one({"_id": mail.conversation["_id"]})
    assert moved is not None and moved["contact_id"] == chat.contact["_id"]
    # The target already had an active conversation: the mail's messages moved into it, and the mail's
    # conversation is a resolved record pointing there (never resolved with its messages in it).
    assert moved["status"] == "resolved" and moved["merged_into_conversation"] == chat.conversation["_id"]
    assert await hub.db[model.MESSAGES].count_documents({"conversation_id": chat.conversation["_id"],
                                                         "direction": "in"}) == 2
    async with http.post(f"{base_url}/api/v1/contacts/merge", json=merge, headers={"X-CSRF-Token": lead_csrf}) as r:
        assert r.status == 409

    async with http.post(f"{base_url}/api/v1/contact-merges/{record['id']}/undo",
                         headers={"X-CSRF-Token": lead_csrf}) as r:
        assert r.status == 200, await r.text()
    source = await contacts.get(hub.db, mail.contact["_id"])
    target = await contacts.get(hub.db, chat.contact["_id"])
    assert source is not None and target is not None
    assert source["identities"] == [{"kind": "email", "value": "reza.ahmadi@example.com"}]
    assert "merged_into" not in source
    assert all(i["kind"] != "email" for i in target["identities"])
    back = await hub.db[model.CONVERSATIONS].find_one({"_id": mail.conversation["_id"]})
    assert back is not None and back["contact_id"] == mail.contact["_id"] and back["status"] == "open"
    assert await hub.db[model.MESSAGES].count_documents({"contact_id": mail.contact["_id"], "direction": "in"}) == 1
    async with http.post(f"{base_url}/api/v1/contact-merges/{record['id']}/undo",
                         headers={"X-CSRF-Token": lead_csrf}) as r:
        assert r.status == 409 and "already undone" in (await r.json())["error"]
    # A new email from that address reaches the restored contact, not the one it was merged into.
    again = await arrive(hub, "hello again", "reza.ahmadi@example.com", channel="email")
    assert again.contact["_id"] == mail.contact["_id"]


async def test_merging_contacts_with_different_identities_of_one_kind_needs_confirmation(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    await make_user(hub.db, "lead@x.test", role="lead", departments=())
    one = await arrive(hub, "hi", "sam.lee@one.example", channel="email", name="Sam Lee")
    two = await arrive(hub, "hi", "sam.lee@two.example", channel="email", name="Sam Lee")
    csrf = await login(http, base_url, "lead@x.test")
    merge = {"source_id": str(two.contact["_id"]), "target_id": str(one.contact["_id"])}
    async with http.post(f"{base_url}/api/v1/contacts/merge", json=merge, headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 409
        assert "different email identities" in (await r.json())["error"]
    kept = await contacts.get(hub.db, two.contact["_id"])
    assert kept is None or kept.get("merged_into") is None
    async with http.post(f"{base_url}/api/v1/contacts/merge", json={**merge, "confirm_conflicts": True},
                         headers={"X-CSRF-Token": csrf}) as r:
        assert r.status == 201
    for bad, code in (({"source_id": "nope", "target_id": str(one.contact["_id"])}, 404),
                      ({"source_id": str(one.contact["_id"]), "target_id": str(one.contact["_id"])}, 400)):
        async with http.post(f"{base_url}/api/v1/contacts/merge", json=bad, headers={"X-CSRF-Token": csrf}) as r:
            assert r.status == code, (bad, await r.text())


async def test_identity_added_later_is_searchable_and_suggests_duplicates(hub: Hub) -> None:
    first = await arrive(hub, "hi", "+989121234567", channel="sms")
    second = await arrive(hub, "hi", "v-phone")
    await contacts.add_identity(hub.db, second.contact["_id"], Identity("phone", "+9809121234567"))
    refreshed = await contacts.get(hub.db, second.contact["_id"])
    assert refreshed is not None and "9809121234567" in refreshed["search_text"]
    suggested = await contacts.likely_duplicates(hub.db, refreshed)
    assert [c["_id"] for c in suggested] == [first.contact["_id"]]
