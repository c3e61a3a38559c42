"""Delivery statuses (sent, delivered, read, failed) applied to our outbound messages.

Statuses only move forward (`STATUS_RANK`): the guard is in the UPDATE's WHERE clause, so a
late or repeated status, even racing another, changes nothing. A status for a send whose
response was lost finds its row by the id we put in `biz_opaque_callback_data`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.models import Direction, Message, MessageStatus
from hotelbot.models.message import STATUS_RANK
from hotelbot.whatsapp.payloads import StatusUpdate

log = structlog.get_logger(__name__)

_TABLES = Message.metadata.tables

#: Meta's status words → ours. `played` (a voice note was listened to) counts as read.
STATUS_FROM_META: dict[str, MessageStatus] = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "played": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}


async def apply(session: AsyncSession, event: StatusUpdate, *, now: datetime) -> bool:
    """Move one of our outbound messages forward; a late or repeated status changes nothing."""
    status = STATUS_FROM_META.get(event.status)
    if status is None:
        metrics.STATUS_UPDATES.labels(status="other", applied="false").inc()
        log.info("whatsapp.status.unknown", status_hash=short_hash(event.status))
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
        wamid_hash=short_hash(event.wamid),
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
    # A Core statement on the table: the ORM's bulk-update machinery cost more than the UPDATE.
    table = _TABLES["messages"]
    statement = (
        update(table)
        .where(condition, table.c.direction == Direction.OUTBOUND, table.c.status.in_(earlier))
        .values(**values)
        .returning(table.c.id)
    )
    result = await (await session.connection()).execute(statement)
    return result.first() is not None


async def _is_stored(session: AsyncSession, wamid: str) -> bool:
    query = select(Message.id).where(Message.wamid == wamid)
    return (await session.execute(query)).first() is not None


def short_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]
