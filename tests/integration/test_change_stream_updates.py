"""The change stream is read without `updateLookup` (issue 15, P2): a conversation the bus holds is brought
up to date from the update event itself. Against the real database's events, the document rebuilt from
each event equals the stored one, for the updates the hub makes (a new message's touch, a status change,
an unset, a list growing and shrinking)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from pymongo import AsyncMongoClient

from hub.clock import utcnow
from hub.live.change_apply import applied
from hub.store.conversations import conversation_touch
from tests.conftest import make_settings


@pytest.fixture
async def collection(mongo_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    try:
        yield client[make_settings(mongo_url, tmp_path).db_name]["conversations"]
    finally:
        await client.close()


async def test_each_update_event_applied_to_the_held_document_gives_the_stored_document(collection: Any) -> None:
    at = utcnow().replace(microsecond=0)
    contact = {"_id": ObjectId(), "name": "Mina"}
    doc = {"_id": ObjectId(), "status": "pending", "active": True, "channels": ["sms"], "labels": ["vip", "b", "c"],
           "waiting_since": at, "snoozes": [{"from": at, "to": at}]}
    await collection.insert_one(doc)
    updates: list[dict[str, Any]] = [
        conversation_touch(contact, "whatsapp", at + timedelta(seconds=1), "hello", inbound=True),
        conversation_touch(contact, "sms", at + timedelta(seconds=2), "again", inbound=True),
        {"$set": {"status": "resolved", "snoozes.0.to": at + timedelta(hours=1)}, "$unset": {"active": ""}},
        {"$pull": {"labels": "b"}},
        {"$push": {"labels": {"$each": [], "$slice": 1}}},
        {"$set": {"meta": {"a": {"b": 1}}}},
        {"$set": {"meta.a.c": 2}, "$unset": {"meta.a.b": ""}},
    ]
    held: dict[str, Any] = await collection.find_one({"_id": doc["_id"]})
    async with await collection.watch() as stream:
        for update in updates:
            await collection.update_one({"_id": doc["_id"]}, update)
            change = await stream.next()
            assert "fullDocument" not in change or change["fullDocument"] is None
            held = applied(held, change["updateDescription"])
            assert held == await collection.find_one({"_id": doc["_id"]})
