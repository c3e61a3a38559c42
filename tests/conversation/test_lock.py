"""One turn at a time per conversation; other conversations are not held up."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.conversation.lock import conversation_lock
from hotelbot.kit.db import session_scope
from tests.factories.conversation import make_conversation


async def _two_conversations(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, uuid.UUID]:
    async with session_scope(sessionmaker) as session:
        one = await make_conversation(session, wa_id="447700900111")
        two = await make_conversation(session, wa_id="447700900222")
        return one.id, two.id


async def _until_blocked(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Yield until another session waits on a row lock (Postgres) or just let tasks run."""
    async with sessionmaker() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            for _ in range(50):
                await asyncio.sleep(0)
            return
        query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        while not (await probe.execute(query)).scalar():
            await probe.rollback()
            await asyncio.sleep(0.01)


async def test_second_turn_waits_until_the_first_unit_of_work_ends(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    cid, _ = await _two_conversations(sessionmaker)
    order: list[str] = []
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with session_scope(sessionmaker) as session:
            async with conversation_lock(session, cid):
                order.append("first in")
                holding.set()
                await release.wait()
                order.append("first out")

    async def second() -> None:
        await holding.wait()
        async with session_scope(sessionmaker) as session:
            async with conversation_lock(session, cid):
                order.append("second in")

    tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
    await holding.wait()
    await _until_blocked(sessionmaker)
    assert order == ["first in"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "first out", "second in"]


async def test_other_conversations_are_not_held_up(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    one, two = await _two_conversations(sessionmaker)
    async with sessionmaker() as first:
        async with conversation_lock(first, one):
            if first.get_bind().dialect.name != "postgresql":
                # SQLite: the lock is process-local; a second conversation's lock is free.
                async with sessionmaker() as other, conversation_lock(other, two):
                    pass
                return
            async with sessionmaker() as other:
                async with conversation_lock(other, two):
                    await other.commit()
        await first.rollback()
