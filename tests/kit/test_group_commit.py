"""Group commit: concurrent submits share transactions, each answered only after its commit."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.group_commit import GroupCommit
from hotelbot.models import Property
from hotelbot.property import service as property_service


class Recorder:
    """`apply` that records each batch and fails for items named in `bad`."""

    def __init__(self, bad: set[int] | None = None) -> None:
        self.batches: list[list[int]] = []
        self.bad = bad or set()

    async def __call__(self, session: AsyncSession, items: Sequence[int]) -> list[int]:
        self.batches.append(list(items))
        await session.execute(text("SELECT 1"))
        if self.bad & set(items):
            raise ValueError("bad item")
        return [item * 10 for item in items]


async def test_concurrent_submits_share_a_transaction_and_get_their_own_results(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    recorder = Recorder()
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(20)))
    assert results == [i * 10 for i in range(20)]
    assert len(recorder.batches) < 20
    assert sorted(i for batch in recorder.batches for i in batch) == list(range(20))


async def test_batches_are_bounded(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    recorder = Recorder()
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder, max_batch=4)
    await asyncio.gather(*(batcher.submit(i) for i in range(10)))
    assert max(len(batch) for batch in recorder.batches) <= 4


async def test_a_bad_item_fails_alone(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    recorder = Recorder(bad={3})
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder)
    results = await asyncio.gather(*(batcher.submit(i) for i in range(6)), return_exceptions=True)
    assert [r for r in results if isinstance(r, ValueError)] == [results[3]]
    assert [r for i, r in enumerate(results) if i != 3] == [0, 10, 20, 40, 50]


async def test_an_answered_item_is_committed(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def write(session: AsyncSession, items: Sequence[str]) -> list[None]:
        for number in items:
            await property_service.create_property(
                session,
                slug=f"hotel-{number}",
                name="Hotel",
                phone_number_id=number,
                display_phone_number=number,
            )
        return [None] * len(items)

    batcher: GroupCommit[str, None] = GroupCommit(sessionmaker, write)

    async def submit_then_look(number: str) -> int:
        await batcher.submit(number)
        async with sessionmaker() as other:  # another connection sees only committed rows
            query = select(func.count()).where(Property.phone_number_id == number)
            return (await other.execute(query)).scalar_one()

    assert await asyncio.gather(*(submit_then_look(f"5550{i}") for i in range(8))) == [1] * 8


async def test_under_load_the_next_transaction_waits_to_fill_up(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    recorder = Recorder()
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder, linger=5.0)
    await asyncio.gather(*(batcher.submit(i) for i in range(4)))  # a busy moment: one batch

    async def arrive_later(item: int) -> int:
        await asyncio.sleep(0.01 * (item - 10))
        return await batcher.submit(item)

    # Its clients come back one by one: not a transaction each, nor 5 s for the timer.
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await asyncio.gather(*(arrive_later(i) for i in range(10, 14))) == [100, 110, 120, 130]
    assert loop.time() - started < 2.0
    assert recorder.batches == [[0, 1, 2, 3], [10, 11, 12, 13]]


async def test_a_transaction_lingers_at_most_the_linger(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    recorder = Recorder()
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder, linger=0.05)
    await asyncio.gather(*(batcher.submit(i) for i in range(4)))
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await batcher.submit(7) == 70  # nobody else comes
    assert 0.05 <= loop.time() - started < 2.0
    assert recorder.batches[-1] == [7]


async def test_an_idle_server_never_lingers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    recorder = Recorder()
    batcher: GroupCommit[int, int] = GroupCommit(sessionmaker, recorder, linger=5.0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for item in range(5):
        assert await batcher.submit(item) == item * 10
    assert loop.time() - started < 2.0
    assert recorder.batches == [[0], [1], [2], [3], [4]]
