"""The conversation backlog as the database counts it: the queue depth workers scale on.

The rows are the truth whatever the queue engine, so depth is counted there: guest messages
still waiting for a turn (inbound) and replies not yet accepted by Meta (outbound). A periodic
job in every worker sets `hotelbot_queue_depth`; dashboards and autoscalers take the max.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import job
from hotelbot.models import Message, MessageStatus
from hotelbot.resources import Resources

#: Which message statuses count as waiting, per `kind` label.
WAITING = {
    "inbound": (MessageStatus.PENDING,),
    "outbound": (MessageStatus.QUEUED, MessageStatus.SENDING),
}


async def count_waiting(session: AsyncSession) -> dict[str, int]:
    """Rows waiting per kind (uses the (status, created_at) index)."""
    query = (
        select(Message.status, func.count())
        .where(Message.status.in_([s for statuses in WAITING.values() for s in statuses]))
        .group_by(Message.status)
    )
    by_status: dict[MessageStatus, int] = {
        row[0]: row[1] for row in (await session.execute(query)).all()
    }
    return {
        kind: sum(by_status.get(status, 0) for status in statuses)
        for kind, statuses in WAITING.items()
    }


@job("conversation.measure_backlog", retries=0)
async def measure_backlog(resources: Resources) -> None:
    """Set `hotelbot_queue_depth` from the database (read only; safe to run anywhere, any time)."""
    async with session_scope(resources.sessionmaker) as session:
        depth = await count_waiting(session)
    for kind, count in depth.items():
        metrics.QUEUE_DEPTH.labels(kind=kind).set(count)
