"""Queue depth comes from the rows: what waits for a turn and what waits to be sent."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.conversation.backlog import count_waiting, measure_backlog
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.models import Direction, Message, MessageStatus, MessageType
from hotelbot.resources import open_resources
from hotelbot.settings import Settings
from tests.factories.conversation import make_conversation, make_inbound


def _reply(conversation_id: object, status: MessageStatus) -> Message:
    return Message(
        conversation_id=conversation_id,
        direction=Direction.OUTBOUND,
        type=MessageType.TEXT,
        status=status,
        payload={"type": "text"},
    )


async def test_counts_pending_messages_and_unsent_replies(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    for _ in range(3):
        await make_inbound(session, conversation)
    await make_inbound(session, conversation, status=MessageStatus.PROCESSED)
    for status in (MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.SENT):
        session.add(_reply(conversation.id, status))
    await session.flush()

    assert await count_waiting(session) == {"inbound": 3, "outbound": 2}


async def test_the_job_sets_the_queue_depth_gauge(
    session: AsyncSession, settings: Settings
) -> None:
    conversation = await make_conversation(session)
    await make_inbound(session, conversation)
    await session.commit()

    async with open_resources(settings, InProcessQueue()) as resources:
        await measure_backlog(resources)

    assert metrics.QUEUE_DEPTH.labels(kind="inbound")._value.get() == 1
    assert metrics.QUEUE_DEPTH.labels(kind="outbound")._value.get() == 0
