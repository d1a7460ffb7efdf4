"""Group concurrent requests into one database round trip ("group commit").

Callers `await coalescer.submit(item)` as if alone. The first caller starts a drain task; every item
submitted while a batch is in flight rides in the next one. Idle, a batch is one item and costs no
extra latency; under load one round trip serves many messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# One result per item, in order; an exception in the list fails only that item's caller.
BatchRunner = Callable[[list[T]], Awaitable[Sequence[R | BaseException]]]


class Coalescer(Generic[T, R]):
    def __init__(self, run: BatchRunner[T, R], max_batch: int = 256) -> None:
        self._run = run
        self._max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())
        return await future

    def post(self, item: T, on_error: Callable[[BaseException], None]) -> None:
        """Submit without waiting: for writes nobody's answer depends on (a marker a later pass can redo).
        It rides in the next batch all the same; a failure goes to `on_error`."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()

        def report(done: asyncio.Future[R]) -> None:
            failure = None if done.cancelled() else done.exception()
            if failure is not None:
                on_error(failure)

        future.add_done_callback(report)
        self._pending.append((item, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            live = [(item, future) for item, future in batch if not future.cancelled()]
            if not live:
                continue
            try:
                results = await self._run([item for item, _ in live])
            except BaseException as exc:
                results = [exc] * len(live)
                if isinstance(exc, asyncio.CancelledError):
                    for _, future in live:
                        if not future.done():
                            future.cancel()
                    raise
            for (_, future), result in zip(live, results, strict=True):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)
