"""Prompt templates: one row per version of (property, language, name). The highest version
with `active` set is the one in use; a rollback activates an earlier version and keeps every
row, so the history is never rewritten. `property_id`/`language` NULL = for every property or
language (the seeded defaults)."""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotelbot.kit.db import Base
from hotelbot.models._columns import CreatedAt, UuidPk


class PromptTemplate(Base):
    __tablename__ = "prompt_templates"
    __table_args__ = (UniqueConstraint("property_key", "language_key", "name", "version"),)

    id: Mapped[UuidPk]
    property_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("properties.id"), nullable=True
    )
    #: `property_id` as text, "*" for every property (NULLs are never equal in a unique key).
    property_key: Mapped[str] = mapped_column(String(36))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    #: `language` or "*".
    language_key: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text())
    #: Variables the template may use; anything else is refused when it is saved.
    variables: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean(), default=False)
    #: "system" or "admin:<token id>": who saved this version.
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[CreatedAt]
