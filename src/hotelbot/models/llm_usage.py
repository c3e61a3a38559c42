"""Model usage per turn: tokens and estimated cost, by property and conversation. Sums give the
figures per conversation and per property, and the daily budget check. No text is stored."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.models._columns import CreatedAt, UuidPk


class LlmUsage(Base):
    __tablename__ = "llm_usage"
    __table_args__ = (Index("ix_llm_usage_property_day", "property_id", "day"),)

    id: Mapped[UuidPk]
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("properties.id"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("conversations.id"), index=True)
    #: The UTC day the turn ran (the daily budget's day).
    day: Mapped[date] = mapped_column(Date())
    at: Mapped[CreatedAt]
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(100))
    calls: Mapped[int] = mapped_column(default=0)
    prompt_tokens: Mapped[int] = mapped_column(default=0)
    completion_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    #: How the model path ended this turn ("answered", "timeout", "ungrounded", ...).
    outcome: Mapped[str] = mapped_column(String(32))
