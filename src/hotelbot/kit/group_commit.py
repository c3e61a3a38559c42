"""Group commit: many concurrent requests' writes in one transaction, each answered after it.

A request calls `await batcher.submit(item)`. Items that arrive while a transaction is being
written and committed wait, and the next transaction takes all of them (up to `max_batch`): an
idle server commits a lone item at once and a busy one amortises the statements and the commit
(an fsync on PostgreSQL) over everything that queued meanwhile. With `writers` > 1
(PostgreSQL), that many transactions may be in flight at once. `submit` returns only after the
transaction holding its item has committed and its jobs have been handed to the queue, so
durability is exactly that of one transaction per item.

Under load, answering a batch releases all its clients at once, and the first of them to come
back would start a transaction alone while the others queue behind it: batches then alternate
between one item and all the rest, and a transaction of one costs nearly as much as a full
one. With `linger` > 0, a transaction that follows a batch of several items waits, at most
`linger` seconds, until as many items are waiting as that batch took. After a batch of one (an
idle or lightly loaded server) nothing waits.

If a transaction fails, each of its items is retried once alone, so one bad item fails only
its own request and a transient failure (a deadlock) is not seen by the client. Items must
therefore be safe to apply twice (an idempotent upsert, say): the retry runs in a fresh
transaction after the failed one rolled back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.db import session_scope

T = TypeVar("T")
R = TypeVar("R")

#: `apply(session, items)` writes the items and returns one result per item, in order.
Apply = Callable[[AsyncSession, Sequence[T]], Awaitable[Sequence[R]]]


class GroupCommit(Generic[T, R]):
    """Batches concurrent `submit()` calls of one event loop into shared transactions."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        apply: Apply[T, R],
        *,
        max_batch: int = 100,
        writers: int = 1,
        linger: float = 0.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._apply = apply
        self._max_batch = max_batch
        self._max_writers = writers
        self._linger = linger
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writers: set[asyncio.Task[None]] = set()
        #: Items the last transaction took; under load the next one waits for as many.
        self._last_batch = 0
        #: Set while a writer lingers: resolved when enough items wait (or by its timer).
        self._filled: asyncio.Future[None] | None = None

    async def submit(self, item: T) -> R:
        """Write `item` in the next transaction; its result once that transaction committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._filled is not None and len(self._waiting) >= self._wanted():
            _settle(self._filled)
        if len(self._writers) < self._max_writers:
            # Writer tasks drain the queue, then end; with several, one batch is written
            # while another waits for its commit (PostgreSQL's WAL flush).
            writer = asyncio.create_task(self._drain())
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        # shield: a client that hangs up must not cancel the batch its item belongs to.
        return await asyncio.shield(future)

    async def _drain(self) -> None:
        while self._waiting:
            await self._fill()
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            if batch:  # another writer may have taken them while this one lingered
                self._last_batch = len(batch)
                await self._write(batch)

    def _wanted(self) -> int:
        return min(self._last_batch, self._max_batch)

    async def _fill(self) -> None:
        """Under load, wait (at most `linger`) until as many items wait as the last batch took."""
        if self._linger <= 0 or self._filled is not None or len(self._waiting) >= self._wanted():
            return
        loop = asyncio.get_running_loop()
        self._filled = filled = loop.create_future()
        timer = loop.call_later(self._linger, _settle, filled)
        try:
            await filled
        finally:
            timer.cancel()
            self._filled = None

    async def _write(
        self, batch: list[tuple[T, asyncio.Future[R]]], *, alone: bool = False
    ) -> None:
        try:
            results = await self._transaction([item for item, _ in batch])
        except Exception as error:
            if alone:
                _settle(batch[0][1], error=error)
                return
            # Find the bad item, and get past a transient failure (a deadlock, a stale cache
            # the failed attempt cleared): each item once more, alone, in its own transaction.
            for one in batch:
                await self._write([one], alone=True)
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)

    async def _transaction(self, items: list[T]) -> Sequence[R]:
        # session_scope commits, then dispatches the jobs enqueued in it, before returning.
        async with session_scope(self._sessionmaker) as session:
            return await self._apply(session, items)


def _settle(
    future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
