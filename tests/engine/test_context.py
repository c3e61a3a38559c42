"""build_turn_context reads the rows; the real tools write handoff and opt-out to them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hotelbot.engine.context import build_turn_context
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.turn import handle_turn
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.models import ConversationMode, Guest
from hotelbot.resources import Resources, open_resources
from hotelbot.settings import Settings
from tests.engine.conftest import text
from tests.factories.conversation import make_conversation
from tests.factories.property import make_property

FIXED = datetime(2027, 7, 1, 22, 30, tzinfo=UTC)


@pytest.fixture
async def resources(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Resources]:
    # `engine` is requested so that Postgres runs truncate what these tests wrote.
    async with open_resources(settings, InProcessQueue()) as built:
        yield built


async def test_context_carries_property_and_guest_facts(
    session: AsyncSession, resources: Resources, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    prop = await make_property(
        session, timezone="Europe/Lisbon", profile={"faq": {"wifi": {"en": "Free."}}}
    )
    conversation = await make_conversation(session, prop=prop)
    ctx = await build_turn_context(session, resources, conversation, clock=lambda: FIXED)
    assert ctx.property.id == prop.id
    assert ctx.property.languages == ("es", "en")
    assert ctx.property.default_language == "es"
    assert ctx.property.profile == {"faq": {"wifi": {"en": "Free."}}}
    assert ctx.guest.id == conversation.guest_id
    assert ctx.now == FIXED
    assert ctx.local_now().hour == 23  # Lisbon is UTC+1 in July
    assert ctx.guest.display_name is not None
    assert ctx.guest.display_name not in repr(ctx)


async def test_real_tools_put_the_conversation_in_human_mode_and_record_opt_out(
    session: AsyncSession, resources: Resources, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await make_conversation(session)
    ctx = await build_turn_context(session, resources, conversation)
    await ctx.tools.request_handoff(HandoffReason.GUEST_REQUEST)
    await ctx.tools.record_opt_out(True)
    await session.commit()

    async with sessionmaker() as fresh:
        guest = await fresh.get(Guest, conversation.guest_id)
        assert guest is not None and guest.opted_out is True
        stored = await fresh.get(type(conversation), conversation.id)
        assert stored is not None and stored.mode == ConversationMode.HUMAN


async def test_a_turn_over_real_rows_hands_over_what_it_cannot_answer(
    session: AsyncSession, resources: Resources, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await make_conversation(session)
    ctx = await build_turn_context(session, resources, conversation)
    first = await handle_turn(ctx, conversation.state, [text("cuál es la capital de Mongolia?")])
    assert first.flow == "rephrase"
    result = await handle_turn(ctx, first.state, [text("cuál es la capital de Mongolia?")])
    assert result.flow == "handoff"
    assert conversation.mode == ConversationMode.HUMAN


async def test_context_carries_the_language_the_guests_number_suggests_not_the_number(
    session: AsyncSession, resources: Resources
) -> None:
    conversation = await make_conversation(session, wa_id="393471200011")
    ctx = await build_turn_context(session, resources, conversation)
    assert ctx.guest.likely_language == "it"
    assert "393471200011" not in repr(ctx)


async def test_a_new_guests_neutral_first_message_follows_their_number_over_rows(
    session: AsyncSession, resources: Resources
) -> None:
    # The fixture hotel speaks Spanish by default; a guest from the UK writes only "ok".
    conversation = await make_conversation(session)
    ctx = await build_turn_context(session, resources, conversation)
    result = await handle_turn(ctx, conversation.state, [text("ok")])
    assert result.state["language"] == "en"
