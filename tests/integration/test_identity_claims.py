"""identities: who holds each identity, keyed by the identity itself (so a sharded cluster enforces it).
A claim whose contact a crash never wrote is finished with its id; old databases migrate at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestServer
from bson import ObjectId
from pymongo import AsyncMongoClient

from channels.base import WEBCHAT, Identity, InboundMessage
from hub import keys
from hub import names as model
from hub.app import create_app
from hub.clock import utcnow
from hub.inbound.ingest import ingest
from hub.runtime import Hub
from hub.store import contacts
from hub.store.db import Doc
from tests.conftest import make_settings


def inbound(visitor: str, external_id: str) -> InboundMessage:
    return InboundMessage(channel="webchat", identity=Identity(WEBCHAT, visitor), text="hi", received_at=utcnow(),
                          external_id=external_id, raw={"id": external_id})


async def test_a_claim_whose_contact_was_never_written_is_finished_with_the_claims_id(hub: Hub) -> None:
    orphan = ObjectId()  # a crash between the claim and the contact's insert
    await hub.db[model.IDENTITIES].insert_one({"_id": "webchat:v-orphan", "kind": WEBCHAT, "value": "v-orphan",
                                               "contact_id": orphan})
    first = await ingest(hub, inbound("v-orphan", "m-1"))
    second = await ingest(hub, inbound("v-orphan", "m-2"))
    assert first.contact["_id"] == orphan == second.contact["_id"]
    assert await hub.db[model.CONTACTS].count_documents({}) == 1


async def test_every_new_contact_claims_its_identity_and_contacts_carry_no_identities_index(hub: Hub) -> None:
    stored = await ingest(hub, inbound("v-new", "m-1"))
    claim = await hub.db[model.IDENTITIES].find_one({"_id": "webchat:v-new"})
    assert claim is not None and claim["contact_id"] == stored.contact["_id"]
    names = {index["name"] async for index in await hub.db[model.CONTACTS].list_indexes()}
    assert "identity_unique_sparse" not in names


async def test_an_identity_held_by_one_contact_is_not_given_to_another(hub: Hub) -> None:
    mina = await ingest(hub, inbound("v-mina", "m-1"))
    other = await ingest(hub, inbound("v-other", "m-2"))
    assert not await contacts.add_identity(hub.db, other.contact["_id"], Identity(WEBCHAT, "v-mina"))
    assert await contacts.add_identity(hub.db, mina.contact["_id"], Identity("email", "mina@example.com"))
    holder = await contacts.find_by_identity(hub.db, Identity("email", "mina@example.com"))
    assert holder is not None and holder["_id"] == mina.contact["_id"]


async def test_a_database_with_the_old_unique_identities_index_moves_its_claims_at_start_and_again_harmlessly(
    aiohttp_server: Any, mongo_url: str, tmp_path: Path
) -> None:
    settings = make_settings(mongo_url, tmp_path)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        old = client[settings.db_name][model.CONTACTS]
        await old.create_index([("identities.kind", 1), ("identities.value", 1)], unique=True, sparse=True,
                               name="identity_unique_sparse")
        known = (await old.insert_one({"name": "Mina", "identities": [{"kind": WEBCHAT, "value": "v-old"},
                                                                       {"kind": "email", "value": "m@example.com"}]})
                 ).inserted_id
        await old.insert_one({"name": "Merged", "merged_into": known, "merged_identities": []})
    finally:
        await client.close()
    for _ in range(2):  # a second start finds nothing left to move
        server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
        hub = server.app[keys.HUB]
        claims = {d["_id"]: d["contact_id"] async for d in hub.db[model.IDENTITIES].find({})}
        assert claims == {"webchat:v-old": known, "email:m@example.com": known}
        names = {index["name"] async for index in await hub.db[model.CONTACTS].list_indexes()}
        assert "identity_unique_sparse" not in names
        assert (await ingest(hub, inbound("v-old", f"m-{_}"))).contact["_id"] == known
        await server.close()
