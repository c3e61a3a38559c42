"""Inbox: store guest messages exactly once, apply delivery statuses, hand messages to turns.

`accept()` is called inside the webhook's transaction and returns the conversations that got
new messages; the caller enqueues their turns after commit. Exactly once is a constraint, not
a check: each message is `INSERT ... ON CONFLICT (wamid) DO NOTHING`, so Meta's redeliveries,
even concurrent ones, store one row and touch the conversation once. Nothing slow happens
here: no NLU, PMS or Graph API call. Services never commit.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.engine.inbound import GuestMessage
from hotelbot.guest import service as guest_service
from hotelbot.models import Conversation, Direction, Message, MessageStatus, MessageType
from hotelbot.models.message import STATUS_RANK
from hotelbot.property import service as property_service
from hotelbot.whatsapp.payloads import (
    IgnoredChange,
    InboundMessage,
    StatusUpdate,
    WebhookEnvelope,
    content_of,
)

log = structlog.get_logger(__name__)

#: Meta's status words → ours. `played` (a voice note was listened to) counts as read.
STATUS_FROM_META: dict[str, MessageStatus] = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "played": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}

#: Informational messages (number changed, message deleted) are kept but need no turn.
NO_TURN_TYPES = frozenset({MessageType.SYSTEM})

_MEDIA = frozenset(
    {
        MessageType.IMAGE,
        MessageType.AUDIO,
        MessageType.VIDEO,
        MessageType.DOCUMENT,
        MessageType.STICKER,
    }
)
_KINDS: dict[MessageType, Any] = {
    MessageType.TEXT: "text",
    MessageType.LOCATION: "location",
    MessageType.CONTACTS: "contacts",
    MessageType.REACTION: "reaction",
    MessageType.ORDER: "order",
} | dict.fromkeys(_MEDIA, "media")


async def accept(
    session: AsyncSession, envelope: WebhookEnvelope, *, now: datetime
) -> set[uuid.UUID]:
    """Store every message and apply every status; return the conversations needing a turn."""
    touched: set[uuid.UUID] = set()
    for position, event in enumerate(envelope.events()):
        match event:
            case InboundMessage():
                # Messages of one delivery get distinct, ordered arrival times: `pending()`
                # orders by created_at, and uuid4 ids would shuffle ties.
                arrived = now + timedelta(microseconds=position)
                conversation_id = await _store_inbound(session, event, now=arrived)
                if conversation_id is not None:
                    touched.add(conversation_id)
            case StatusUpdate():
                await _apply_status(session, event, now=now)
            case IgnoredChange():
                log.info("whatsapp.webhook.ignored", field=event.field, reason=event.reason)
    return touched


async def pending(session: AsyncSession, conversation_id: uuid.UUID) -> list[Message]:
    """Inbound messages of the conversation still waiting for a turn, in arrival order."""
    query = (
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.INBOUND,
            Message.status == MessageStatus.PENDING,
        )
        .order_by(Message.created_at, Message.id)
    )
    return list((await session.execute(query)).scalars())


async def mark_processed(
    session: AsyncSession, message: Message, *, now: datetime | None = None
) -> None:
    """Record that a turn consumed `message` (a rerun of the job then finds nothing pending)."""
    message.status = MessageStatus.PROCESSED
    message.status_at = now or datetime.now(UTC)
    await session.flush()


def to_guest_message(message: Message) -> GuestMessage:
    """What the engine sees of a stored inbound message: no wamid, no Graph JSON."""
    content = content_of(message.payload or {})
    choice_id = content.get("choice_id")
    kind = _KINDS.get(message.type, "unsupported")
    if message.type in (MessageType.INTERACTIVE, MessageType.BUTTON) and choice_id:
        kind = "choice"
    return GuestMessage(
        id=str(message.id),
        kind=kind,
        text=message.text or "",
        choice_id=choice_id,
        media_type=content.get("media_type"),
        media_id=content.get("media_id"),
        latitude=content.get("latitude"),
        longitude=content.get("longitude"),
        received_at=message.sent_by_guest_at or message.created_at,
    )


async def conversation_for(
    session: AsyncSession, *, property_id: uuid.UUID, guest_id: uuid.UUID
) -> uuid.UUID:
    """The id of the one conversation between a property and a guest, created if new."""
    query = select(Conversation.id).where(
        Conversation.property_id == property_id, Conversation.guest_id == guest_id
    )
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None:
        return found
    statement = (
        _insert(session)(Conversation)
        .values(id=uuid.uuid4(), property_id=property_id, guest_id=guest_id, state={})
        .on_conflict_do_nothing(index_elements=["property_id", "guest_id"])
    )
    await session.execute(statement)
    return (await session.execute(query)).scalar_one()


# ---- inbound ------------------------------------------------------------------------------


async def _store_inbound(
    session: AsyncSession, event: InboundMessage, *, now: datetime
) -> uuid.UUID | None:
    """Insert the message once; the conversation id when it was new and needs a turn."""
    property_id = await property_service.get_id_by_phone_number_id(session, event.phone_number_id)
    if property_id is None:
        log.warning("whatsapp.webhook.unknown_number", phone_number_id=event.phone_number_id)
        return None
    if await _is_stored(session, event.wamid):
        # Meta retries for hours; skip the guest and conversation work for a known redelivery.
        _count_duplicate(event)
        return None
    guest = await guest_service.find_or_create(
        session, wa_id=event.wa_id, profile_name=event.profile_name
    )
    conversation_id = await conversation_for(session, property_id=property_id, guest_id=guest.id)
    needs_turn = event.type not in NO_TURN_TYPES
    statement = (
        _insert(session)(Message)
        .values(
            id=uuid.uuid4(),
            conversation_id=conversation_id,
            direction=Direction.INBOUND,
            type=event.type,
            status=MessageStatus.PENDING if needs_turn else MessageStatus.PROCESSED,
            wamid=event.wamid,
            text=event.text,
            payload=event.raw,
            sent_by_guest_at=event.sent_at,
            created_at=now,
            status_at=now,
        )
        .on_conflict_do_nothing(index_elements=["wamid"])
        .returning(Message.id)
    )
    if (await session.execute(statement)).first() is None:
        # A concurrent delivery of the same message committed first.
        _count_duplicate(event)
        return None
    metrics.INBOUND_MESSAGES.labels(type=event.type.value).inc()
    if not needs_turn:
        return None
    await _touch(session, conversation_id, at=min(event.sent_at or now, now))
    return conversation_id


async def _is_stored(session: AsyncSession, wamid: str) -> bool:
    query = select(Message.id).where(Message.wamid == wamid)
    return (await session.execute(query)).first() is not None


def _count_duplicate(event: InboundMessage) -> None:
    metrics.DUPLICATE_MESSAGES.inc()
    log.info("whatsapp.webhook.duplicate", wamid_hash=_short_hash(event.wamid))


async def _touch(session: AsyncSession, conversation_id: uuid.UUID, *, at: datetime) -> None:
    """Move the 24-hour window forward (never back: deliveries can arrive out of order)."""
    statement = (
        update(Conversation)
        .where(
            Conversation.id == conversation_id,
            or_(Conversation.last_inbound_at.is_(None), Conversation.last_inbound_at < at),
        )
        .values(last_inbound_at=at)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)


# ---- statuses -----------------------------------------------------------------------------


async def _apply_status(session: AsyncSession, event: StatusUpdate, *, now: datetime) -> bool:
    """Move one of our outbound messages forward; a late or repeated status changes nothing."""
    status = STATUS_FROM_META.get(event.status)
    if status is None:
        metrics.STATUS_UPDATES.labels(status="other", applied="false").inc()
        log.info("whatsapp.status.unknown", status_hash=_short_hash(event.status))
        return False
    values: dict[str, Any] = {"status": status, "status_at": event.at or now}
    if status is MessageStatus.FAILED:
        values |= {"error_code": event.error_code, "error_title": (event.error_title or "")[:200]}
    earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    applied = await _update_outbound(session, Message.wamid == event.wamid, earlier, values)
    if not applied and event.biz_opaque_callback_data:
        applied = await _attach_wamid(session, event, earlier, values)
    metrics.STATUS_UPDATES.labels(status=event.status, applied=str(applied).lower()).inc()
    log.info(
        "whatsapp.status.received",
        status=event.status,
        applied=applied,
        wamid_hash=_short_hash(event.wamid),
        error_code=event.error_code,
    )
    return applied


async def _attach_wamid(
    session: AsyncSession,
    event: StatusUpdate,
    earlier: list[MessageStatus],
    values: dict[str, Any],
) -> bool:
    """A send whose response was lost: Meta echoes our message id as biz_opaque_callback_data."""
    try:
        message_id = uuid.UUID(str(event.biz_opaque_callback_data))
    except ValueError:
        return False
    if await _is_stored(session, event.wamid):
        return False  # the wamid belongs to another row (or the status was simply stale)
    condition = (Message.id == message_id) & Message.wamid.is_(None)
    return await _update_outbound(session, condition, earlier, {**values, "wamid": event.wamid})


async def _update_outbound(
    session: AsyncSession, condition: Any, earlier: list[MessageStatus], values: dict[str, Any]
) -> bool:
    # The rank guard is in the WHERE clause, so two statuses racing cannot move a row backwards.
    statement = (
        update(Message)
        .where(condition, Message.direction == Direction.OUTBOUND, Message.status.in_(earlier))
        .values(**values)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    return (await session.execute(statement)).first() is not None


# ---- helpers ------------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT, which has `on_conflict_do_nothing` on SQLite and Postgres."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _short_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]
