"""Conversation state is encrypted at rest, and the migration carries live conversations over."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot import migrate
from hotelbot.models import Conversation
from tests.factories.conversation import make_conversation, make_inbound

#: The revision before the state was sealed.
BEFORE = "23b8e3762482"
STATE = {"flow": "manage", "flow_data": {"ref": "DEM-7K2M9Q4P", "surname": "Oyelaran"}}


async def _raw_state(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        return str((await connection.execute(text("SELECT state FROM conversations"))).scalar())


async def test_state_is_not_readable_in_the_database(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    await make_conversation(session, state=STATE)
    await session.commit()
    assert "Oyelaran" not in await _raw_state(engine)


async def test_a_conversation_in_progress_survives_the_upgrade_and_a_downgrade(
    engine: AsyncEngine, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await make_conversation(session, state=STATE)
    await make_inbound(session, conversation)  # a message row pointing at the conversation
    await session.commit()
    await migrate.downgrade(engine, BEFORE)
    assert "Oyelaran" in await _raw_state(engine)  # plain JSON again, readable by the old code
    await migrate.upgrade(engine)
    assert "Oyelaran" not in await _raw_state(engine)
    async with sessionmaker() as fresh:
        again = await fresh.get(Conversation, conversation.id)
    assert again is not None and again.state == STATE
