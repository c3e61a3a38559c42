"""Conversations and their messages for tests (guests are made through the real service)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.guest import service as guest_service
from hotelbot.models import (
    Conversation,
    ConversationMode,
    Direction,
    Message,
    MessageStatus,
    MessageType,
    Property,
)
from hotelbot.models._columns import utcnow
from hotelbot.property import service as property_service
from tests.factories.property import FIXTURE_PHONE_NUMBER_ID, make_property

#: A fictional guest number (UK drama range); never a real person's.
GUEST_WA_ID = "447700900456"


async def make_conversation(
    session: AsyncSession,
    *,
    prop: Property | None = None,
    wa_id: str = GUEST_WA_ID,
    mode: ConversationMode = ConversationMode.BOT,
    last_inbound_at: datetime | None = None,
    **overrides: Any,
) -> Conversation:
    if prop is None:
        found = await property_service.get_by_phone_number_id(session, FIXTURE_PHONE_NUMBER_ID)
        prop = found or await make_property(session)
    guest = await guest_service.find_or_create(session, wa_id=wa_id, profile_name="Ana Test")
    conversation = Conversation(
        property_id=prop.id,
        guest_id=guest.id,
        mode=mode,
        last_inbound_at=last_inbound_at or utcnow(),
        **({"state": {}} | overrides),
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def make_inbound(
    session: AsyncSession,
    conversation: Conversation,
    text: str = "Hello",
    *,
    age_seconds: float = 60.0,
    status: MessageStatus = MessageStatus.PENDING,
) -> Message:
    """A stored guest text message, `age_seconds` old (old enough to be past a burst)."""
    at = utcnow() - timedelta(seconds=age_seconds)
    message = Message(
        conversation_id=conversation.id,
        direction=Direction.INBOUND,
        type=MessageType.TEXT,
        status=status,
        wamid=f"wamid.TEST{uuid.uuid4().hex}",
        text=text,
        payload={"type": "text", "text": {"body": text}},
        sent_by_guest_at=at,
        created_at=at,
    )
    session.add(message)
    await session.flush()
    return message
