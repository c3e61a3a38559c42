"""Properties: a hotel, its WhatsApp number and its profile (facts the bot may state)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.models._columns import CreatedAt, UuidPk


class Property(Base):
    __tablename__ = "properties"

    id: Mapped[UuidPk]
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Meta's id for the business number; webhooks are routed by it.
    phone_number_id: Mapped[str] = mapped_column(String(64), unique=True)
    display_phone_number: Mapped[str] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    #: Hotel facts (address, check-in/out, breakfast, parking, wifi, ...) per topic and language.
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Which PMS adapter serves this property, and its (non-secret) settings.
    pms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Answer a guest who spoke with a voice note of the reply as well (always beside the text).
    voice_replies: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Keep a guest's voice note (encrypted) after transcription; by default only its words.
    keep_voice_audio: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[CreatedAt]
