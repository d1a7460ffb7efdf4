"""Writes handed to one GroupedWrites while a bulk is in flight leave together in the next bulk, each
caller learns whether its write held, and a failed bulk fails every write in it (as a single write would)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring
from pymongo.errors import PyMongoError

from hub.runtime import Hub
from hub.store.bulk_writes import GroupedWrites


class UpdateCommands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.statements: list[int] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command.get("update") == "grouped":
            self.statements.append(len(event.command.get("updates") or []))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_writes_made_while_a_bulk_is_in_flight_go_out_together_and_each_learns_it_held(
        hub: Hub, mongo_url: str) -> None:
    listener = UpdateCommands()
    client: AsyncMongoClient[Any] = AsyncMongoClient(mongo_url, event_listeners=[listener])
    try:
        collection = client[hub.settings.db_name]["grouped"]
        await collection.insert_many([{"_id": n, "v": 0} for n in range(10)])
        writes = GroupedWrites(collection, most=4)
        held = await asyncio.gather(*(writes.write({"_id": n}, {"$set": {"v": 1}}) for n in range(10)))
        assert held == [True] * 10
        assert listener.statements == [4, 4, 2], "ten writes at once: three requests, none larger than four"
        assert await collection.count_documents({"v": 1}) == 10
    finally:
        await client.close()


async def test_a_write_that_matched_nothing_makes_its_bulk_answer_false_so_callers_read_back(hub: Hub) -> None:
    collection: Any = hub.db["grouped"]
    await collection.insert_many([{"_id": n, "v": 0} for n in range(3)])
    writes = GroupedWrites(collection)
    held = await asyncio.gather(writes.write({"_id": 0}, {"$set": {"v": 1}}),
                                writes.write({"_id": 99}, {"$set": {"v": 1}}),
                                writes.write({"_id": 2}, {"$set": {"v": 1}}))
    assert list(held) == [False] * 3, "a bulk's answer counts matches; it cannot say which write missed"
    assert await collection.count_documents({"v": 1}) == 2
    assert await writes.write({"_id": 1}, {"$set": {"v": 1}}) is True


async def test_a_failed_bulk_fails_every_write_in_it_and_the_next_writes_still_go(hub: Hub) -> None:
    collection: Any = hub.db["grouped"]
    await collection.insert_one({"_id": 1, "v": 0})
    writes = GroupedWrites(collection)
    outcomes = await asyncio.gather(writes.write({"_id": 1}, {"$bogus": {"v": 1}}),
                                    writes.write({"_id": 1}, {"$set": {"v": 2}}), return_exceptions=True)
    assert all(isinstance(o, PyMongoError) for o in outcomes)
    assert await writes.write({"_id": 1}, {"$set": {"v": 3}}) is True
    await writes.close()
    found = await collection.find_one({"_id": 1})
    assert found is not None and found["v"] == 3


@pytest.fixture(autouse=True)
async def _clean(hub: Hub) -> None:
    await hub.db["grouped"].drop()
