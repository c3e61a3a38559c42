"""The outbox: every reply is stored before it is sent, sent once, and its `wamid` recorded.

Row life: QUEUED (`put`) → SENDING (`claim`) → SENT (`mark_sent`) → DELIVERED / READ (status
webhooks), or FAILED (`record_failure`). The idempotency key `<inbound id>:<n>` is unique, so
re-running a turn cannot queue a reply twice; `biz_opaque_callback_data` is the row id, so a
status webhook can reconcile a row whose send outcome we never learnt. Services never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.engine.replies import Media, Reaction, Reply, Template
from hotelbot.errors import HotelbotError
from hotelbot.models import (
    Conversation,
    Direction,
    Guest,
    Message,
    MessageStatus,
    MessageType,
)
from hotelbot.models._columns import utcnow
from hotelbot.whatsapp import outbound
from hotelbot.whatsapp.errors import GraphApiError, OutsideWindow

log = structlog.get_logger(__name__)

#: Meta's customer-service window: free-form messages only this long after the guest wrote.
SERVICE_WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW_CODE = 131047


async def put(
    session: AsyncSession, conversation: Conversation, replies: list[Reply], *, inbound_id: str
) -> list[Message]:
    """Store `replies` QUEUED, rendered for Graph; returns the rows for this turn's keys.

    Idempotent per `inbound_id`: running the same turn again inserts nothing new. A reply Meta
    would refuse (render raises InvalidInput) is stored FAILED so it is seen, never sent.
    """
    guest = await session.get_one(Guest, conversation.guest_id)
    context_wamid = await _wamid_of(session, inbound_id) if _needs_context(replies) else None
    now = utcnow()
    keys = []
    for n, reply in enumerate(replies):
        key = f"{inbound_id}:{n}"
        keys.append(key)
        # A microsecond apart: the send order is `created_at` order, even within one turn.
        values = _row(conversation, reply, key=key, to=guest.phone, context_wamid=context_wamid)
        values.update(created_at=now + timedelta(microseconds=n), status_at=now)
        await session.execute(_insert_ignoring_duplicate(session, values))
    if not keys:
        return []
    query = select(Message).where(Message.idempotency_key.in_(keys)).order_by(Message.created_at)
    return list((await session.execute(query)).scalars())


def _needs_context(replies: list[Reply]) -> bool:
    return any(isinstance(reply, Reaction) for reply in replies)


async def _wamid_of(session: AsyncSession, message_id: str) -> str | None:
    query = select(Message.wamid).where(Message.id == uuid.UUID(message_id))
    return (await session.execute(query)).scalar_one_or_none()


def _row(
    conversation: Conversation,
    reply: Reply,
    *,
    key: str,
    to: str,
    context_wamid: str | None,
) -> dict[str, Any]:
    row_id = uuid.uuid4()
    values: dict[str, Any] = {
        "id": row_id,
        "conversation_id": conversation.id,
        "direction": Direction.OUTBOUND,
        "idempotency_key": key,
        "text": _readable(reply),
        "attempts": 0,
    }
    try:
        payload = outbound.render(
            reply, to=to, context_wamid=context_wamid, callback_data=str(row_id)
        )
    except HotelbotError as exc:
        log.error("outbox.unrenderable", kind=reply.kind, error=exc.code)
        return values | {
            "type": _type_of_reply(reply),
            "status": MessageStatus.FAILED,
            "error_title": exc.code,
        }
    return values | {
        "type": MessageType(payload["type"]),
        "status": MessageStatus.QUEUED,
        "payload": payload,
    }


_REPLY_TYPES = {
    "text": MessageType.TEXT,
    "buttons": MessageType.INTERACTIVE,
    "list": MessageType.INTERACTIVE,
    "template": MessageType.TEMPLATE,
    "location": MessageType.LOCATION,
    "reaction": MessageType.REACTION,
}


def _type_of_reply(reply: Reply) -> MessageType:
    if isinstance(reply, Media):
        return MessageType(reply.media_type)
    return _REPLY_TYPES[reply.kind]


def _readable(reply: Reply) -> str | None:
    """What the console shows for an outbound row (stored encrypted)."""
    if isinstance(reply, Template):
        return f"[template {reply.name}]"
    if isinstance(reply, Media):
        return reply.caption
    if isinstance(reply, Reaction):
        return reply.emoji
    body: str | None = getattr(reply, "body", None)
    return body


def _insert_ignoring_duplicate(session: AsyncSession, values: dict[str, Any]) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Column types still apply, so `text` and `payload` are encrypted on the way in.
    return (
        insert(Message)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Message.idempotency_key])
    )


async def claim(
    session: AsyncSession, conversation_id: uuid.UUID, *, limit: int | None = None
) -> list[Message]:
    """Move the oldest QUEUED rows to SENDING (attempts + 1) and return them, oldest first.

    Returns nothing while another sender has a row of this conversation in SENDING: replies go
    out in order, so a second sender waits rather than overtaking. Call under the
    conversation lock and commit before sending, so a crash mid-send leaves the row SENDING
    (for the sweep) instead of rolling it back to QUEUED and sending it twice.
    """
    if await _is_sending(session, conversation_id):
        return []
    query = (
        select(Message)
        .where(_outbound(conversation_id), Message.status == MessageStatus.QUEUED)
        .order_by(Message.created_at)
        .limit(limit)
    )
    rows = list((await session.execute(query)).scalars())
    now = utcnow()
    for row in rows:
        row.status = MessageStatus.SENDING
        row.status_at = now
        row.attempts += 1
    await session.flush()
    return rows


async def _is_sending(session: AsyncSession, conversation_id: uuid.UUID) -> bool:
    query = select(
        exists().where(_outbound(conversation_id), Message.status == MessageStatus.SENDING)
    )
    return bool((await session.execute(query)).scalar())


def _outbound(conversation_id: uuid.UUID) -> Any:
    return and_(Message.conversation_id == conversation_id, Message.direction == Direction.OUTBOUND)


def check_window(conversation: Conversation, message: Message, *, now: datetime) -> None:
    """Raise OutsideWindow for free text over 24 h after the guest last wrote (no Meta call)."""
    if message.payload is None or not outbound.is_free_form(message.payload):
        return
    last = conversation.last_inbound_at
    if last is None or now - last > SERVICE_WINDOW:
        metrics.WINDOW_REFUSALS.labels(source="local").inc()
        raise OutsideWindow(
            "free-form message outside the 24-hour window (code 131047)",
            graph_code=OUTSIDE_WINDOW_CODE,
        )


async def mark_sent(session: AsyncSession, message: Message, wamid: str) -> None:
    """Record Meta's `wamid`; SENT only if no status webhook has moved the row further already."""
    now = utcnow()
    await session.execute(
        update(Message).where(Message.id == message.id, Message.wamid.is_(None)).values(wamid=wamid)
    )
    # A `delivered` webhook can beat the send call's response: never move a status backwards.
    await session.execute(
        update(Message)
        .where(
            Message.id == message.id,
            Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
        )
        .values(status=MessageStatus.SENT, status_at=now, error_code=None, error_title=None)
    )
    await _reload(session, message)


async def record_failure(session: AsyncSession, message: Message, error: Exception) -> bool:
    """Record a failed send. Returns True when the row is QUEUED again and the send should retry.

    The caller re-raises a retryable error after its unit of work commits (raising inside it
    would roll this record back), so the queue retries the job with backoff. A network failure
    after the request may have left (timeout, dropped connection) is not retried: Meta may have
    accepted it, so the row stays SENDING for a status webhook to reconcile or, failing that,
    for the sweep (`requeue_stale`). OutsideWindow is final (FAILED, 131047), as is anything
    else not retryable.
    """
    if outcome_unknown(error):
        await session.execute(
            update(Message)
            .where(Message.id == message.id, Message.status == MessageStatus.SENDING)
            .values(status_at=utcnow(), error_title=str(getattr(error, "code", "network"))[:200])
        )
        await _reload(session, message)
        return False
    retry = bool(getattr(error, "retryable", False))
    code = getattr(error, "graph_code", None)
    title = getattr(error, "code", type(error).__name__)
    status = MessageStatus.QUEUED if retry else MessageStatus.FAILED
    if isinstance(error, OutsideWindow):
        code = OUTSIDE_WINDOW_CODE
    await session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == MessageStatus.SENDING)
        .values(status=status, status_at=utcnow(), error_code=code, error_title=str(title)[:200])
    )
    await _reload(session, message)
    return retry


#: Network errors raised before the request left this process: the message was not sent.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def outcome_unknown(error: Exception) -> bool:
    """True when a send failed without an answer from Meta after the request may have left."""
    if not isinstance(error, GraphApiError) or error.http_status is not None:
        return False
    cause = error.__cause__
    return isinstance(cause, httpx.HTTPError) and not isinstance(cause, _NOT_SENT)


async def _reload(session: AsyncSession, message: Message) -> None:
    # The sender holds rows from the claim's session; only reload the ones this session owns.
    if message in session:
        await session.refresh(message)


async def requeue_stale(session: AsyncSession, *, older_than: datetime) -> list[uuid.UUID]:
    """Put rows SENDING since before `older_than` back to QUEUED; returns their conversations.

    A row is left SENDING when its worker died mid-send. Meta may or may not have accepted it.
    If it did, a status webhook carrying our callback data reconciles the row to SENT within
    seconds (see inbox), so we wait well beyond that before re-queueing: the trade-off is a
    slower recovery against a duplicate reply in the rare case Meta accepted and no status came.
    """
    query = select(Message.id, Message.conversation_id).where(
        Message.direction == Direction.OUTBOUND,
        Message.status == MessageStatus.SENDING,
        Message.status_at < older_than,
    )
    rows = (await session.execute(query)).all()
    if rows:
        await session.execute(
            update(Message)
            .where(Message.id.in_([r.id for r in rows]), Message.status == MessageStatus.SENDING)
            .values(status=MessageStatus.QUEUED, status_at=utcnow())
        )
    return sorted({r.conversation_id for r in rows})
