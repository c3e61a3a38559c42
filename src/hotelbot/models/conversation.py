"""Conversations: one per guest and property; the unit of locking and ordering."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.kit.types import EncryptedJSON, UtcDateTime
from hotelbot.models._columns import CreatedAt, UuidPk, utcnow


class ConversationMode(StrEnum):
    BOT = "bot"
    HUMAN = "human"


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("property_id", "guest_id"),)

    id: Mapped[UuidPk]
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("properties.id"), index=True)
    guest_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("guests.id"), index=True)
    mode: Mapped[ConversationMode] = mapped_column(String(16), default=ConversationMode.BOT)
    #: The engine's state between turns (flow, collected slots, language). Encrypted: it holds
    #: what the guest typed mid-flow (a surname, the name and e-mail for a booking).
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON(), default=dict, nullable=True)
    #: Last guest message; free text may be sent for 24 hours after it.
    last_inbound_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
