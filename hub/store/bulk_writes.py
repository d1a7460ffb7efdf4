"""Conditional updates to one collection sent together (group commit): a write that arrives while a bulk is
in flight goes out in the next bulk, so an idle writer adds no delay and a busy one sends fewer, larger
requests. The dispatcher's attempt starts and outcomes go this way (hub/outbound/dispatcher.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

MOST_PER_BULK = 32


class GroupedWrites:
    def __init__(self, collection: AsyncCollection[Any], most: int = MOST_PER_BULK) -> None:
        self.collection = collection
        self.most = most
        self._pending: list[tuple[UpdateOne, asyncio.Future[bool]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def write(self, query: Mapping[str, Any], update: Mapping[str, Any]) -> bool:
        """Send the update (in the next bulk) and wait until it is written. True when every update of its bulk
        matched, so this one did too; False when some did not, and the caller reads its row to know
        whether it was one of them (a bulk's answer counts matches, it does not name them)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((UpdateOne(query, update), done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush(), name="grouped-writes")
        return await done

    async def close(self) -> None:
        """Wait for the writes already handed over."""
        if self._flushing is not None:
            with contextlib.suppress(Exception):
                await self._flushing
            self._flushing = None

    async def _flush(self) -> None:
        while self._pending:
            bulk, self._pending = self._pending[:self.most], self._pending[self.most:]
            try:
                result = await self.collection.bulk_write([update for update, _ in bulk], ordered=False)
            except Exception as exc:  # each waiting caller gets the error, as a single write would give it
                for _, done in bulk:
                    if not done.done():
                        done.set_exception(exc)
                continue
            every = result.matched_count == len(bulk)
            for _, done in bulk:
                if not done.done():
                    done.set_result(every)
