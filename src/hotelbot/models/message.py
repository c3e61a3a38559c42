"""Messages in and out. `wamid` is unique: Meta redelivers, and a redelivery is a no-op."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.kit.types import EncryptedJSON, EncryptedText, UtcDateTime
from hotelbot.models._columns import CreatedAt, UuidPk


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class MessageType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"
    BUTTON = "button"
    REACTION = "reaction"
    ORDER = "order"
    SYSTEM = "system"
    TEMPLATE = "template"
    UNSUPPORTED = "unsupported"


class MessageStatus(StrEnum):
    # inbound
    PENDING = "pending"  # stored, waiting for a turn
    PROCESSED = "processed"  # a turn consumed it
    # outbound
    QUEUED = "queued"  # stored, not yet handed to Meta
    SENDING = "sending"  # claimed by a sender; outcome unknown until it returns
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


#: Outbound statuses only move forward along this order (a late `delivered` never undoes `read`).
STATUS_RANK: dict[MessageStatus, int] = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
    MessageStatus.FAILED: 5,
}


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_conversation_status", "conversation_id", "direction", "status"),
        Index("ix_messages_status_created", "status", "created_at"),
    )

    id: Mapped[UuidPk]
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[Direction] = mapped_column(String(3))
    type: Mapped[MessageType] = mapped_column(String(16))
    status: Mapped[MessageStatus] = mapped_column(String(16))
    #: Meta's message id; set on arrival (inbound) or when Meta accepts the send (outbound).
    wamid: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    #: Outbound only: `<inbound message id>:<n>` so a re-run turn cannot queue a reply twice.
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True, nullable=True)
    #: Readable text of the message (guest text, button title, caption), encrypted.
    text: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    #: Inbound: the message object as Meta sent it. Outbound: the exact Graph request body.
    payload: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON(), nullable=True)
    #: Meta's send time for inbound messages.
    sent_by_guest_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[CreatedAt]
    status_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[int | None] = mapped_column(nullable=True)
    error_title: Mapped[str | None] = mapped_column(String(200), nullable=True)
