"""The outbox stores each reply once, hands it out once and in order, and never moves a status
backwards."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.conversation import outbox
from hotelbot.engine.replies import Button, Buttons, Template, Text
from hotelbot.models import Message, MessageStatus, MessageType
from hotelbot.models._columns import utcnow
from hotelbot.whatsapp.errors import InvalidParameter, OutsideWindow, ServiceUnavailable, Throttled
from tests.factories.conversation import GUEST_WA_ID, make_conversation, make_inbound

REPLIES = [
    Text(body="Bienvenida al Hotel Mirador"),
    Buttons(body="¿Qué necesita?", buttons=[Button(id="book", title="Reservar")]),
]


async def _outbound(session: AsyncSession) -> list[Message]:
    query = select(Message).where(Message.direction == "out").order_by(Message.created_at)
    return list((await session.execute(query)).scalars())


async def test_put_stores_rendered_replies_queued_with_callback_data(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    rows = await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))

    assert [r.status for r in rows] == [MessageStatus.QUEUED, MessageStatus.QUEUED]
    assert [r.type for r in rows] == [MessageType.TEXT, MessageType.INTERACTIVE]
    assert [r.idempotency_key for r in rows] == [f"{inbound.id}:0", f"{inbound.id}:1"]
    assert rows[0].payload is not None
    assert rows[0].payload["to"] == GUEST_WA_ID
    assert rows[0].payload["text"]["body"] == "Bienvenida al Hotel Mirador"
    assert [r.payload["biz_opaque_callback_data"] for r in rows if r.payload] == [
        str(r.id) for r in rows
    ]


async def test_put_keeps_reply_text_and_number_encrypted_at_rest(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))
    await session.flush()
    raw = (await session.execute(text("SELECT text, payload FROM messages"))).all()
    dump = " ".join(str(value) for row in raw for value in row)
    assert "Mirador" not in dump
    assert GUEST_WA_ID not in dump


async def test_same_turn_put_twice_queues_replies_once(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    first = await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))
    again = await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))
    assert [r.id for r in again] == [r.id for r in first]
    assert len(await _outbound(session)) == 2


async def test_claim_hands_out_oldest_first_and_counts_attempts(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    stored = await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))

    claimed = await outbox.claim(session, conversation.id, limit=1)
    assert [r.id for r in claimed] == [stored[0].id]
    assert claimed[0].status == MessageStatus.SENDING
    assert claimed[0].attempts == 1


async def test_claim_waits_while_an_earlier_reply_is_being_sent(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES, inbound_id=str(inbound.id))
    first = await outbox.claim(session, conversation.id, limit=1)
    # A second sender must not overtake: the guest would read the replies out of order.
    assert await outbox.claim(session, conversation.id) == []
    await outbox.mark_sent(session, first[0], "wamid.OUT1")
    assert len(await outbox.claim(session, conversation.id)) == 1


async def test_mark_sent_records_wamid(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    await outbox.mark_sent(session, row, "wamid.OUT1")
    assert (row.status, row.wamid) == (MessageStatus.SENT, "wamid.OUT1")


async def test_mark_sent_never_undoes_a_delivered_status_that_came_first(
    session: AsyncSession,
) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    row.status = MessageStatus.DELIVERED  # the status webhook won the race
    await session.flush()
    await outbox.mark_sent(session, row, "wamid.OUT1")
    assert (row.status, row.wamid) == (MessageStatus.DELIVERED, "wamid.OUT1")


async def test_retryable_failure_puts_the_reply_back_in_the_queue(session: AsyncSession) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    assert await outbox.record_failure(session, row, Throttled("throttled", graph_code=130429))
    assert row.status == MessageStatus.QUEUED
    assert row.error_code == 130429


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OutsideWindow("outside window", graph_code=131047), 131047),
        (InvalidParameter("invalid parameter", graph_code=100), 100),
    ],
)
async def test_final_failure_marks_the_reply_failed(
    session: AsyncSession, error: Exception, code: int
) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    assert not await outbox.record_failure(session, row, error)
    assert (row.status, row.error_code) == (MessageStatus.FAILED, code)


async def test_free_text_is_refused_after_the_24_hour_window_but_templates_pass(
    session: AsyncSession,
) -> None:
    conversation = await make_conversation(session, last_inbound_at=utcnow() - timedelta(hours=25))
    inbound = await make_inbound(session, conversation)
    replies = [Text(body="Hola"), Template(name="stay_reminder", language="es")]
    text_row, template_row = await outbox.put(
        session, conversation, replies, inbound_id=str(inbound.id)
    )
    with pytest.raises(OutsideWindow):
        outbox.check_window(conversation, text_row, now=utcnow())
    outbox.check_window(conversation, template_row, now=utcnow())


async def test_reply_stuck_sending_is_requeued_only_after_the_grace_period(
    session: AsyncSession,
) -> None:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    assert await outbox.requeue_stale(session, older_than=utcnow() - timedelta(minutes=2)) == []
    assert await outbox.requeue_stale(session, older_than=utcnow() + timedelta(seconds=1)) == [
        conversation.id
    ]
    await session.refresh(row)
    assert row.status == MessageStatus.QUEUED


async def _failed_with(session: AsyncSession, cause: Exception) -> Message:
    conversation = await make_conversation(session)
    inbound = await make_inbound(session, conversation)
    await outbox.put(session, conversation, REPLIES[:1], inbound_id=str(inbound.id))
    [row] = await outbox.claim(session, conversation.id)
    try:
        raise ServiceUnavailable(f"send: {type(cause).__name__}") from cause
    except ServiceUnavailable as error:
        await outbox.record_failure(session, row, error)
    return row


async def test_reply_whose_request_may_have_reached_meta_is_not_resent_at_once(
    session: AsyncSession,
) -> None:
    # The response was lost, not necessarily the message: resending now could send it twice.
    row = await _failed_with(session, httpx.ReadTimeout("timed out"))
    assert row.status == MessageStatus.SENDING


async def test_reply_that_never_left_is_queued_again(session: AsyncSession) -> None:
    row = await _failed_with(session, httpx.ConnectError("refused"))
    assert row.status == MessageStatus.QUEUED
