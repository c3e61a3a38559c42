"""The only side-effecting calls the engine makes, behind the `Tools` Protocol.

`handle_turn` never touches the database itself: it asks `ctx.tools`. `ConversationTools` is
the real implementation, bound to the worker's session and the conversation being processed;
it changes rows but never commits (the job's unit of work does). Tests use a fake that records
calls. Issue 4 adds the PMS and knowledge-base calls here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.models import Conversation, ConversationMode, Guest

log = structlog.get_logger(__name__)


class HandoffReason(StrEnum):
    """Why the bot handed over; a closed set so it can be a metric label."""

    GUEST_REQUEST = "guest_request"
    NOT_UNDERSTOOD = "not_understood"
    BOOKING_REQUEST = "booking_request"
    FAQ_MISSING = "faq_missing"
    MEDIA = "media"
    UNSUPPORTED = "unsupported"


class Tools(Protocol):
    async def request_handoff(self, reason: HandoffReason) -> None:
        """Put the conversation in human mode: staff see it and the bot stops answering."""
        ...

    async def record_opt_out(self, opted_out: bool) -> None:
        """Remember on the guest that they opted out of (or back into) messages."""
        ...


class ConversationTools:
    """`Tools` over the worker's session; changes are committed with the turn's other writes."""

    def __init__(self, session: AsyncSession, conversation: Conversation) -> None:
        self._session = session
        self._conversation = conversation

    async def request_handoff(self, reason: HandoffReason) -> None:
        self._conversation.mode = ConversationMode.HUMAN
        metrics.HANDOFFS.labels(reason=reason.value).inc()
        log.info(
            "engine.handoff.requested",
            conversation_id=str(self._conversation.id),
            reason=reason.value,
        )

    async def record_opt_out(self, opted_out: bool) -> None:
        guest = await self._session.get(Guest, self._conversation.guest_id)
        if guest is not None:
            guest.opted_out = opted_out
        log.info(
            "engine.guest.opt_out",
            conversation_id=str(self._conversation.id),
            opted_out=opted_out,
        )
