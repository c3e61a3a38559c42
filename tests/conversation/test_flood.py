"""A guest over the message limit gets one polite reply in their language, then silence; the
messages are kept, and the refusals show in the metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hotelbot import metrics
from hotelbot.conversation.jobs import process_inbound
from hotelbot.engine.texts import render
from hotelbot.kit.db import session_scope
from hotelbot.models import Conversation, Direction, Message, MessageStatus
from hotelbot.resources import Resources, open_resources
from hotelbot.sandbox.app import create_sandbox_app
from hotelbot.settings import Settings
from tests.factories.conversation import make_conversation, make_inbound
from tests.fakes.queue import RecordingQueue


@pytest.fixture
async def resources(settings: Settings, engine: Any) -> AsyncIterator[Resources]:
    settings.limits.guest = "3/minute"
    settings.limits.guest_notice = "1/hour"
    transport = httpx.ASGITransport(app=create_sandbox_app(settings))
    async with open_resources(settings, RecordingQueue(), http_transport=transport) as resources:
        yield resources


async def _write(resources: Resources, conversation_id: Any, *texts: str) -> None:
    async with session_scope(resources.sessionmaker) as session:
        conversation = await session.get_one(Conversation, conversation_id)
        for n, text in enumerate(texts):
            await make_inbound(session, conversation, text, age_seconds=30 - n * 0.1)


async def _replies(resources: Resources) -> list[Message]:
    async with resources.sessionmaker() as session:
        query = (
            select(Message)
            .where(Message.direction == Direction.OUTBOUND)
            .order_by(Message.created_at)
        )
        return list((await session.execute(query)).scalars())


async def test_a_flood_gets_one_polite_reply_in_the_guests_language_then_silence(
    resources: Resources,
) -> None:
    async with session_scope(resources.sessionmaker) as session:
        conversation = await make_conversation(session, state={"language": "es"})
        cid = conversation.id
    limited = metrics.RATE_LIMITED.labels(scope="guest")
    before = (limited._value.get(), metrics.FLOOD_NOTICES._value.get())

    await _write(resources, cid, "hola", "buenos días")
    await process_inbound(resources, conversation_id=str(cid))
    answered = len(await _replies(resources))
    assert answered >= 1, "within the limit the guest is answered"

    await _write(resources, cid, "hola", "hola", "hola")  # 5 messages in the window: over 3
    await process_inbound(resources, conversation_id=str(cid))
    await _write(resources, cid, "hola", "HOLA")
    await process_inbound(resources, conversation_id=str(cid))

    replies = await _replies(resources)
    notice = render("es", "flood.slow_down", hotel="Hotel Mirador")
    assert [r.text for r in replies[answered:]] == [notice], "one notice, then silence"
    async with resources.sessionmaker() as session:
        query = select(Message.status).where(Message.direction == Direction.INBOUND)
        statuses = list((await session.execute(query)).scalars())
    assert len(statuses) == 7 and set(statuses) == {MessageStatus.PROCESSED}, "nothing lost"
    assert limited._value.get() - before[0] == 5
    assert metrics.FLOOD_NOTICES._value.get() - before[1] == 1
