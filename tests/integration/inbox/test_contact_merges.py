"""Merging contacts: the source's open conversation is never silently resolved, undo puts it back,
a lead sees what moves before merging, and merge after merge keeps working in one database."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from bson import ObjectId
from pymongo import AsyncMongoClient

from channels.base import Identity
from hub import keys
from hub import names as model
from hub.app import create_app
from hub.clock import utcnow
from hub.runtime import Hub
from hub.store import contact_merges, contacts
from hub.store.db import Doc
from tests.conftest import make_settings
from tests.integration.inbox.helpers import arrive, place
from tests.integration.inbox.merge_invariants import check as check_invariants
from tests.support.agents import login, make_user


async def lead(hub: Hub, http: aiohttp.ClientSession, base_url: str) -> str:
    await make_user(hub.db, "lead@x.test", role="lead", departments=(), name="Lee")
    return await login(http, base_url, "lead@x.test")


async def merge(http: aiohttp.ClientSession, base_url: str, csrf: str, source: ObjectId, target: ObjectId,
                **extra: Any) -> tuple[int, dict[str, Any]]:
    body = {"source_id": str(source), "target_id": str(target), **extra}
    async with http.post(f"{base_url}/api/v1/contacts/merge", json=body, headers={"X-CSRF-Token": csrf}) as r:
        return r.status, await r.json()


async def undo(http: aiohttp.ClientSession, base_url: str, csrf: str, merge_id: str) -> tuple[int, dict[str, Any]]:
    async with http.post(f"{base_url}/api/v1/contact-merges/{merge_id}/undo", headers={"X-CSRF-Token": csrf}) as r:
        return r.status, await r.json()


async def conversation(hub: Hub, conversation_id: ObjectId) -> Doc:
    found = await hub.db[model.CONVERSATIONS].find_one({"_id": conversation_id})
    assert found is not None
    return found


async def events(hub: Hub, conversation_id: ObjectId) -> list[str]:
    return [m["text"] async for m in hub.db[model.MESSAGES].find(
        {"conversation_id": conversation_id, "direction": model.EVENT, "data.type": {"$regex": "^contact_merge"}})]


async def test_source_open_conversation_moves_its_messages_into_the_targets_open_one_and_says_so(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await lead(hub, http, base_url)
    target = await arrive(hub, "my order is late", "mina@example.com", channel="email", name="Mina Rahimi")
    source = await arrive(hub, "سلام", "v-mina", name="Mina")
    for text in ("any news?", "hello?"):
        await arrive(hub, text, "v-mina")
    status, record = await merge(http, base_url, csrf, source.contact["_id"], target.contact["_id"])
    assert status == 201, record
    assert record["messages_moved"] == 3 and record["into_conversation_id"] == str(target.conversation["_id"])

    into = await conversation(hub, target.conversation["_id"])
    moved = await hub.db[model.MESSAGES].count_documents(
        {"conversation_id": into["_id"], "direction": model.IN})
    assert moved == 4
    assert into["status"] == "open" and into.get("active") is True
    assert into["last_message_preview"] == "hello?" and into["last_channel"] == "webchat"
    assert set(into["channels"]) == {"email", "webchat"}
    assert into["waiting_since"] == target.conversation["waiting_since"]  # still the earliest unanswered message
    said = await events(hub, into["_id"])
    assert said == [f"Merged Mina (webchat) into Mina Rahimi (email): 3 messages moved from conversation "
                    f"…{str(source.conversation['_id'])[-6:]}."]
    stub = await conversation(hub, source.conversation["_id"])
    assert stub["status"] == "resolved" and "active" not in stub and stub["contact_id"] == target.contact["_id"]
    assert stub["merged_into_conversation"] == into["_id"]
    assert "which stays open" in (await events(hub, stub["_id"]))[0]

    status, undone = await undo(http, base_url, csrf, record["id"])
    assert status == 200, undone
    back = await conversation(hub, source.conversation["_id"])
    assert back["status"] == "open" and back.get("active") is True and back["contact_id"] == source.contact["_id"]
    assert back["last_message_preview"] == "hello?" and "merged_into_conversation" not in back
    assert await hub.db[model.MESSAGES].count_documents(
        {"conversation_id": back["_id"], "direction": model.IN, "contact_id": source.contact["_id"]}) == 3
    again = await conversation(hub, target.conversation["_id"])
    assert again["last_message_preview"] == "my order is late" and again["channels"] == ["email"]
    assert (await events(hub, again["_id"]))[-1].startswith("Merge of Mina (webchat) into Mina Rahimi (email) undone")


async def test_source_open_conversation_becomes_the_targets_when_the_target_has_none(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await lead(hub, http, base_url)
    target = await arrive(hub, "old question", "+989121234567", channel="sms", name="Mina Rahimi")
    await place(hub, target.conversation["_id"], status="resolved")
    await hub.db[model.CONVERSATIONS].update_one({"_id": target.conversation["_id"]}, {"$unset": {"active": ""}})
    source = await arrive(hub, "new question", "v-mina2", name="Mina Rahimi")
    await place(hub, source.conversation["_id"], status="pending")
    status, record = await merge(http, base_url, csrf, source.contact["_id"], target.contact["_id"])
    assert status == 201, record
    kept = await conversation(hub, source.conversation["_id"])
    assert kept["status"] == "pending" and kept.get("active") is True and kept["contact_id"] == target.contact["_id"]
    assert (await events(hub, kept["_id"])) == [
        "Merged Mina Rahimi (webchat) into Mina Rahimi (phone): this conversation now belongs to Mina Rahimi (phone)."]
    # The customer writes again by SMS: it lands in the (formerly webchat) open conversation.
    later = await arrive(hub, "still there?", "+989121234567", channel="sms")
    assert later.conversation["_id"] == kept["_id"]
    status, undone = await undo(http, base_url, csrf, record["id"])
    assert status == 200
    assert any("arrived after the merge" in note for note in undone["undo_notes"])
    back = await conversation(hub, source.conversation["_id"])
    assert back["contact_id"] == source.contact["_id"] and back["status"] == "open"
    owners = {m["contact_id"] async for m in hub.db[model.MESSAGES].find({"conversation_id": back["_id"]})}
    assert owners == {source.contact["_id"]}


async def test_lead_sees_what_a_merge_moves_and_what_conflicts_before_anything_changes(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    csrf = await lead(hub, http, base_url)
    await make_user(hub.db, "ana@x.test")
    await login(http2, base_url, "ana@x.test")
    target = await arrive(hub, "hi", "sam@one.example", channel="email", name="Sam Lee")
    source = await arrive(hub, "hi", "sam@two.example", channel="email", name="Samuel")
    await arrive(hub, "again", "sam@two.example", channel="email")
    url = f"{base_url}/api/v1/contacts/{source.contact['_id']}/merge-preview?into={target.contact['_id']}"
    async with http2.get(url) as r:
        assert r.status == 403
    async with http.get(url) as r:
        assert r.status == 200, await r.text()
        preview = await r.json()
    assert preview["identities"] == [{"kind": "email", "value": "sam@two.example"}]
    assert preview["messages"] == 2
    assert preview["active_conversation"] == {
        "outcome": "messages_move_into_target_active", "source_id": str(source.conversation["_id"]),
        "target_id": str(target.conversation["_id"]), "messages_moving": 2}
    assert {c["kind"] for c in preview["conflicts"]} == {"email", "name", "open_conversations"}
    assert preview["needs_confirmation"] is True
    unchanged = await contacts.get(hub.db, source.contact["_id"])
    assert unchanged is not None and "merged_into" not in unchanged
    for bad, expected in ((f"{base_url}/api/v1/contacts/{source.contact['_id']}/merge-preview", 400),
                          (f"{base_url}/api/v1/contacts/{source.contact['_id']}/merge-preview?into=nope", 404),
                          (f"{base_url}/api/v1/contacts/{source.contact['_id']}/merge-preview"
                           f"?into={source.contact['_id']}", 400)):
        async with http.get(bad) as r:
            assert r.status == expected and (await r.json())["error"]
    status, body = await merge(http, base_url, csrf, source.contact["_id"], target.contact["_id"])
    assert status == 409 and "different email identities" in body["error"]


async def test_a_merged_away_contact_holds_no_identities_field_and_a_second_merge_works(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await lead(hub, http, base_url)
    people = [await arrive(hub, "hi", f"v-{n}") for n in range(3)]
    for source in people[1:]:
        status, body = await merge(http, base_url, csrf, source.contact["_id"], people[0].contact["_id"])
        assert status == 201, body
    for source in people[1:]:
        stored = await contacts.get(hub.db, source.contact["_id"])
        assert stored is not None and "identities" not in stored
        assert stored["merged_identities"] == [{"kind": "webchat", "value": stored["merged_identities"][0]["value"]}]
    async with http.get(f"{base_url}/api/v1/contacts/{people[1].contact['_id']}") as r:
        assert r.status == 200 and (await r.json())["identities"] == []
    async with http.get(f"{base_url}/inbox/contacts/{people[1].contact['_id']}", allow_redirects=False) as r:
        assert r.status == 302


async def test_a_database_with_contacts_merged_by_an_earlier_version_is_migrated_at_start(
    aiohttp_server: Any, mongo_url: str, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    settings = make_settings(mongo_url, tmp_path)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url)
    try:
        old = client[settings.db_name][model.CONTACTS]
        await old.create_index([("identities.kind", 1), ("identities.value", 1)], unique=True, name="identity_unique")
        merged = await old.insert_one({"name": "Old merge", "identities": [], "merged_into": ObjectId(),
                                       "merged_identities": [{"kind": "webchat", "value": "v-old"}]})
    finally:
        await client.close()
    server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
    hub = server.app[keys.HUB]
    base_url = str(server.make_url("")).rstrip("/")
    migrated = await contacts.get(hub.db, merged.inserted_id)
    assert migrated is not None and "identities" not in migrated and migrated["name"] == "Old merge"
    csrf = await lead(hub, http, base_url)
    people = [await arrive(hub, "hi", f"v-new-{n}") for n in range(3)]
    for source in people[1:]:
        status, body = await merge(http, base_url, csrf, source.contact["_id"], people[0].contact["_id"])
        assert status == 201, body


@pytest.mark.timeout(900)  # about 800 requests; each merge is some twenty database round trips
async def test_hundreds_of_merges_and_undos_in_one_database_never_fail_and_keep_every_invariant(
    hub: Hub, base_url: str, http: aiohttp.ClientSession
) -> None:
    csrf = await lead(hub, http, base_url)
    rng = random.Random(10)
    identities: set[tuple[str, str]] = set()
    who: list[tuple[str, str]] = []  # (channel, identity value) a customer writes from
    for n in range(40):
        channel = ("webchat", "email", "sms")[n % 3]
        value = {"webchat": f"v-load-{n}", "email": f"load{n}@example.com", "sms": f"+98912{n:07d}"}[channel]
        kind = {"webchat": "webchat", "email": "email", "sms": "phone"}[channel]
        identities.add((kind, value))
        who.append((channel, value))
        if n % 4 == 3:  # a contact with no conversation at all
            await contacts.resolve(hub.db, Identity(kind, value), f"Quiet {n}", utcnow())
        else:
            await arrive(hub, f"first from {n}", value, channel=channel, name=f"Person {n}")
            if n % 5 == 0:
                await arrive(hub, f"second from {n}", value, channel=channel)
    stack: list[str] = []  # merges not undone, newest last
    merges = undos = 0
    for step in range(160):
        live = [c["_id"] async for c in hub.db[model.CONTACTS].find({"merged_into": {"$exists": False}}, {"_id": 1})]
        roll = rng.random()
        if stack and (roll < 0.3 or len(live) < 3):
            status, body = await undo(http, base_url, csrf, stack.pop())
            assert status == 200, body
            undos += 1
        elif roll < 0.4:
            channel, value = rng.choice(who)  # a customer writes again, to whichever contact holds them now
            await arrive(hub, f"step {step}", value, channel=channel)
        else:
            source, target = rng.sample(live, 2)
            status, body = await merge(http, base_url, csrf, source, target, confirm_conflicts=True)
            assert status == 201, body
            stack.append(body["id"])
            merges += 1
        if step % 40 == 0:
            await check_invariants(hub.db, identities)
    await check_invariants(hub.db, identities)
    while stack:  # every merge still undoes, newest first
        status, body = await undo(http, base_url, csrf, stack.pop())
        assert status == 200, body
        undos += 1
    await check_invariants(hub.db, identities)
    assert await hub.db[model.CONTACTS].count_documents({"merged_into": {"$exists": True}}) == 0
    assert merges >= 80 and undos == merges


async def test_the_merge_page_asks_first_showing_what_moves_and_what_conflicts(
    hub: Hub, base_url: str, http: aiohttp.ClientSession, http2: aiohttp.ClientSession
) -> None:
    await lead(hub, http, base_url)
    await make_user(hub.db, "ana@x.test")
    await login(http2, base_url, "ana@x.test")
    target = await arrive(hub, "hi", "+989121234567", channel="sms", name="Mina Rahimi")
    source = await arrive(hub, "hello", "+9809121234567", channel="sms", name="Mina")
    page_url = f"{base_url}/inbox/contacts/{target.contact['_id']}/merge?from={source.contact['_id']}"
    async with http2.get(page_url) as r:
        assert r.status == 403
    async with http.get(f"{base_url}/inbox/contacts/{target.contact['_id']}") as r:
        assert f'/merge?from={source.contact["_id"]}' in await r.text()  # the duplicate offers a review, not a merge
    async with http.get(page_url) as r:
        assert r.status == 200
        page = await r.text()
    assert "+9809121234567" in page and "the 1 messages of conversation" in page
    assert 'data-kind="phone"' in page and 'data-kind="name"' in page and 'data-kind="open_conversations"' in page
    assert 'name="confirm_conflicts"' in page and f'data-redirect="/inbox/contacts/{target.contact["_id"]}"' in page
    kept = await contacts.get(hub.db, source.contact["_id"])
    assert kept is None or kept.get("merged_into") is None


async def test_a_first_message_landing_between_taking_identities_and_giving_them_joins_the_target_too(
    hub: Hub,
) -> None:
    source = await arrive(hub, "hi", "v-gap", name="Gap")
    target = await arrive(hub, "hello", "gap@example.com", channel="email", name="Gap")
    now = utcnow()
    # The merge's first write: the source no longer holds its identity...
    claimed = await contact_merges._claim_source(hub.db, source.contact["_id"], target.contact["_id"], now)
    assert claimed is not None
    # ...when the visitor writes again: the claim still names the source, which is followed to the target
    # (and the claim moved along), so no newcomer is created.
    again = await arrive(hub, "are you there?", "v-gap")
    assert again.contact["_id"] == target.contact["_id"]
    assert (await hub.db[model.IDENTITIES].find_one({"_id": "webchat:v-gap"}) or {}).get("contact_id") == \
        target.contact["_id"]
    await contact_merges._give_identities(hub.db, source.contact["_id"], target.contact["_id"],
                                          claimed["identities"])
    holder = await contacts.find_by_identity(hub.db, Identity("webchat", "v-gap"))
    assert holder is not None and holder["_id"] == target.contact["_id"]
    assert holder["identities"].count({"kind": "webchat", "value": "v-gap"}) == 1
    moved = await hub.db[model.MESSAGES].find_one({"_id": again.message["_id"]})
    assert moved is not None and moved["conversation_id"] == target.conversation["_id"]
