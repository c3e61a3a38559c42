"""Conversation jobs: turn stored guest messages into replies, send them, sweep what was left.

Payloads are ids only and the rows are the truth, so every job is safe to run twice:
`process_inbound` finds nothing pending the second time, `send_outbound` finds nothing QUEUED,
and outbox keys stop a re-run turn from queueing its replies again. One turn at a time per
conversation (`conversation_lock`); replies leave in the order they were stored.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.conversation import flood, inbox, outbox, voice
from hotelbot.conversation.lock import conversation_lock
from hotelbot.engine.context import build_turn_context
from hotelbot.engine.replies import Media
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import enqueue_after_commit, job, schedule_after_commit
from hotelbot.models import (
    Conversation,
    ConversationMode,
    Direction,
    Message,
    MessageStatus,
    Property,
)
from hotelbot.models._columns import utcnow
from hotelbot.resources import Resources

log = structlog.get_logger(__name__)


@job("conversation.process_inbound")
async def process_inbound(resources: Resources, *, conversation_id: str) -> None:
    """Answer every pending message of the conversation in ONE turn, once the burst is over."""
    cid = uuid.UUID(conversation_id)
    answered: tuple[str, str] | None = None
    spoken: tuple[TurnResult, str] | None = None
    # Voice notes become words first, with no lock held: the turn then reads them as text.
    await voice.transcribe_pending(resources, cid)
    async with session_scope(resources.sessionmaker) as session:
        async with conversation_lock(session, cid):
            messages = await inbox.pending(session, cid)
            if not messages:
                return
            conversation = await session.get_one(Conversation, cid)
            wait = _burst_remaining(messages, resources.settings.queue.burst_window_seconds)
            if wait > 0:
                # The guest is still typing: one turn for the burst, once it settles. Meanwhile
                # the guest sees the message read and the bot typing.
                schedule_after_commit(
                    session, process_inbound, wait, conversation_id=conversation_id
                )
                if conversation.mode == ConversationMode.BOT and messages[-1].wamid:
                    answered = (await _phone_number_id(session, conversation), messages[-1].wamid)
            elif conversation.mode == ConversationMode.HUMAN:
                # Staff answer in human mode; the messages are theirs to read in the console.
                log.info("conversation.turn.skipped", reason="human_mode", messages=len(messages))
                await _mark_processed(session, messages)
            elif not await _within_limits(session, resources, conversation, messages):
                # A flood: kept for staff to read, not answered; at most one notice goes out.
                await _mark_processed(session, messages)
                enqueue_after_commit(session, send_outbound, conversation_id=conversation_id)
            else:
                result = await _take_turn(session, resources, conversation, messages)
                enqueue_after_commit(session, send_outbound, conversation_id=conversation_id)
                if messages[-1].wamid:
                    answered = (await _phone_number_id(session, conversation), messages[-1].wamid)
                if result.spoken:
                    spoken = (result, str(messages[-1].id))
    if answered is not None:
        # After the commit: no row lock is ever held across a network call.
        await _mark_read(resources, *answered)
    if spoken is not None:
        await _queue_voice_reply(resources, cid, *spoken)


async def _queue_voice_reply(
    resources: Resources, cid: uuid.UUID, result: TurnResult, inbound_id: str
) -> None:
    """The guest spoke: the same replies as a voice note, queued behind their text."""
    media_id = await voice.voice_reply(resources, cid, result)
    if media_id is None:
        return
    note = Media(media_type="audio", media_id=media_id)
    async with session_scope(resources.sessionmaker) as session:
        conversation = await session.get_one(Conversation, cid)
        # Its own key: the turn's replies hold `<inbound id>:<n>`, a rerun adds no second note.
        await outbox.put(session, conversation, [note], inbound_id=f"{inbound_id}.voice")
        enqueue_after_commit(session, send_outbound, conversation_id=str(cid))


async def _within_limits(
    session: AsyncSession,
    resources: Resources,
    conversation: Conversation,
    messages: list[Message],
) -> bool:
    if resources.limiter is None:
        return True
    return await flood.admit(session, resources.limiter, conversation, messages)


def _burst_remaining(
    messages: list[Message], window: float, *, now: datetime | None = None
) -> float:
    """Seconds until the newest pending message is `window` old (0 when the burst is over)."""
    newest = max(m.created_at for m in messages)
    age = ((now or utcnow()) - newest).total_seconds()
    return max(0.0, window - age)


async def _take_turn(
    session: AsyncSession,
    resources: Resources,
    conversation: Conversation,
    messages: list[Message],
) -> TurnResult:
    ctx = await build_turn_context(
        session,
        resources,
        conversation,
        voice_confirm_below=resources.settings.voice.confirm_below,
        turn_budget_seconds=resources.settings.engine.turn_budget_seconds,
    )
    _observe_inbox_lag(messages)
    started = time.perf_counter()
    result = await handle_turn(
        ctx, dict(conversation.state or {}), [inbox.to_guest_message(m) for m in messages]
    )
    metrics.TURN_DURATION.labels(flow=result.flow).observe(time.perf_counter() - started)
    conversation.state = result.state
    # Keyed by the newest message: the turn answers the whole burst.
    await outbox.put(session, conversation, list(result.replies), inbound_id=str(messages[-1].id))
    await _mark_processed(session, messages)
    log.info(
        "conversation.turn.done",
        flow=result.flow,
        messages=len(messages),
        replies=len(result.replies),
    )
    return result


def _observe_inbox_lag(messages: list[Message]) -> None:
    now = utcnow()
    for message in messages:
        metrics.INBOX_LAG.observe((now - message.created_at).total_seconds())


async def _mark_processed(session: AsyncSession, messages: list[Message]) -> None:
    for message in messages:
        await inbox.mark_processed(session, message)


async def _mark_read(resources: Resources, phone_number_id: str, wamid: str) -> None:
    """Blue ticks and "typing…" until the reply lands. Best effort: never fails the job."""
    try:
        await resources.graph.mark_read(phone_number_id, wamid, typing=True)
    except Exception as exc:
        log.info("conversation.mark_read.failed", error=type(exc).__name__)


async def _phone_number_id(session: AsyncSession, conversation: Conversation) -> str:
    query = select(Property.phone_number_id).where(Property.id == conversation.property_id)
    return (await session.execute(query)).scalar_one()


@job("conversation.send_outbound")
async def send_outbound(resources: Resources, *, conversation_id: str) -> None:
    """Send the conversation's QUEUED replies, oldest first, one at a time.

    Each row is claimed (SENDING) and committed before the Graph call, and its outcome
    committed after: a crash mid-send leaves it SENDING for the sweep, never sent twice by a
    rerun. A retryable error puts the row back to QUEUED and is raised again after the commit,
    so the queue retries the job with backoff and later replies wait behind it (order).
    """
    cid = uuid.UUID(conversation_id)
    while True:
        async with session_scope(resources.sessionmaker) as session:
            async with conversation_lock(session, cid):
                claimed = await outbox.claim(session, cid, limit=1)
                conversation = await session.get_one(Conversation, cid)
                phone_number_id = await _phone_number_id(session, conversation)
        if not claimed:
            return
        await _send_one(resources, conversation, phone_number_id, claimed[0])


async def _send_one(
    resources: Resources, conversation: Conversation, phone_number_id: str, message: Message
) -> None:
    kind = str(message.type)
    try:
        outbox.check_window(conversation, message, now=utcnow())
        if message.payload is None:  # pragma: no cover - only rendered rows are ever QUEUED
            raise ValueError("outbound row without a payload")
        result = await resources.graph.send(phone_number_id, message.payload)
    except Exception as exc:
        async with session_scope(resources.sessionmaker) as session:
            retry = await outbox.record_failure(session, message, exc)
        outcome = "unknown" if outbox.outcome_unknown(exc) else "retry" if retry else "failed"
        metrics.OUTBOUND_MESSAGES.labels(type=kind, outcome=outcome).inc()
        log.warning("conversation.send.failed", error=type(exc).__name__, outcome=outcome)
        if retry:
            raise
        return
    async with session_scope(resources.sessionmaker) as session:
        await outbox.mark_sent(session, message, result.wamid)
    metrics.OUTBOUND_MESSAGES.labels(type=kind, outcome="sent").inc()


@job("conversation.sweep", retries=0)
async def sweep(resources: Resources) -> None:
    """Re-enqueue what the rows say is unfinished: lost wake-ups, dead workers, lost retries."""
    settings = resources.settings.queue
    now = utcnow()
    async with session_scope(resources.sessionmaker) as session:
        inbound = await _stale(
            session,
            Direction.INBOUND,
            MessageStatus.PENDING,
            before=now - timedelta(seconds=settings.sweep_after_seconds),
        )
        queued = await _stale(
            session,
            Direction.OUTBOUND,
            MessageStatus.QUEUED,
            before=now - timedelta(seconds=settings.sweep_after_seconds),
        )
        stale = await outbox.requeue_stale(
            session, older_than=now - timedelta(seconds=settings.stale_sending_seconds)
        )
        for cid in inbound:
            enqueue_after_commit(session, process_inbound, conversation_id=str(cid))
        for cid in sorted(set(queued) | set(stale)):
            enqueue_after_commit(session, send_outbound, conversation_id=str(cid))
    for kind, found in (("inbound", inbound), ("outbound", queued), ("sending", stale)):
        if found:
            metrics.SWEPT.labels(kind=kind).inc(len(found))
            log.info("conversation.sweep.enqueued", kind=kind, conversations=len(found))


async def _stale(
    session: AsyncSession, direction: Direction, status: MessageStatus, *, before: datetime
) -> list[uuid.UUID]:
    """Conversations with a row in `status` since before `before` (its job was lost or failed)."""
    since = Message.created_at if direction is Direction.INBOUND else Message.status_at
    query = (
        select(Message.conversation_id)
        .distinct()
        .where(Message.direction == direction, Message.status == status, since < before)
    )
    return list((await session.execute(query)).scalars())
