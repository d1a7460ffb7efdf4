"""message_keys: a message's unique keys as documents keyed by the value, which a sharded cluster can enforce.
An orphaned key (its message never written) is finished by the next writer; old databases migrate at start."""

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
from hub.store import messages
from hub.store.db import Doc
from tests.conftest import make_settings


def inbound(text: str, external_id: str) -> InboundMessage:
    return InboundMessage(channel="webchat", identity=Identity(WEBCHAT, "v-keys"), text=text, received_at=utcnow(),
                          external_id=external_id, raw={"text": text, "id": external_id})


async def test_a_provider_retry_after_an_orphaned_key_stores_the_message_once_with_the_keys_id(hub: Hub) -> None:
    orphan = ObjectId()  # what a crash between the two writes leaves: the key, no message
    await hub.db[model.MESSAGE_KEYS].insert_one({"_id": "webchat:m-orphan", "message_id": orphan, "at": utcnow()})
    first = await ingest(hub, inbound("hello", "m-orphan"))
    again = await ingest(hub, inbound("hello", "m-orphan"))
    assert first.created and first.message["_id"] == orphan
    assert not again.created and again.message["_id"] == orphan
    assert await hub.db[model.MESSAGES].count_documents({"direction": "in"}) == 1
    found = await messages.find_external(hub.db, "webchat", "m-orphan")
    assert found is not None and found["_id"] == orphan


async def test_messages_carry_no_unique_index_and_every_stored_message_has_its_key(hub: Hub) -> None:
    stored = await ingest(hub, inbound("hi", "m-1"))
    names = {index["name"] async for index in await hub.db[model.MESSAGES].list_indexes()}
    assert not names & {"dedupe_key", "client_key_sparse"}
    key = await hub.db[model.MESSAGE_KEYS].find_one({"_id": "webchat:m-1"})
    assert key is not None and key["message_id"] == stored.message["_id"]


async def test_a_database_deduped_by_the_old_unique_indexes_moves_its_keys_at_start_and_again_harmlessly(
    aiohttp_server: Any, mongo_url: str, tmp_path: Path
) -> None:
    settings = make_settings(mongo_url, tmp_path)
    client: AsyncMongoClient[Doc] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        old = client[settings.db_name][model.MESSAGES]
        await old.create_index([("dedupe_key", 1)], unique=True, sparse=True, name="dedupe_key")
        await old.create_index([("client_key", 1)], unique=True, sparse=True, name="client_key_sparse")
        inbound_id = (await old.insert_one({"direction": "in", "channel": "webchat", "external_id": "old-1",
                                            "dedupe_key": "webchat:old-1", "created_at": utcnow(),
                                            "conversation_id": ObjectId(), "contact_id": ObjectId()})).inserted_id
        reply_id = (await old.insert_one({"direction": "out", "client_key": "u:k1", "created_at": utcnow()})
                    ).inserted_id
    finally:
        await client.close()
    for _ in range(2):  # a second start finds nothing left to move
        server: TestServer = await aiohttp_server(create_app(settings), host="127.0.0.1")
        hub = server.app[keys.HUB]
        keys_now = {d["_id"]: d["message_id"] async for d in hub.db[model.MESSAGE_KEYS].find({})}
        assert keys_now == {"webchat:old-1": inbound_id, "client:u:k1": reply_id}
        names = {index["name"] async for index in await hub.db[model.MESSAGES].list_indexes()}
        assert not names & {"dedupe_key", "client_key_sparse"}
        repeat = await ingest(hub, inbound("old", "old-1"))
        assert not repeat.created and repeat.message["_id"] == inbound_id
        await server.close()
