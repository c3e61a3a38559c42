"""Guests, found by a keyed hash of their WhatsApp number; number and name encrypted."""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.kit.types import EncryptedText
from hotelbot.models._columns import CreatedAt, UuidPk


class Guest(Base):
    __tablename__ = "guests"

    id: Mapped[UuidPk]
    #: HMAC of the E.164 digits (WhatsApp `wa_id`); the only way to look a guest up.
    phone_hash: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(EncryptedText())
    name: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[CreatedAt]
