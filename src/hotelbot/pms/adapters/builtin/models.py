"""Tables of the built-in PMS, on their own `MetaData` (and Alembic version table).

They never reference chatbot tables, so `hotelbot pms` can live in its own database. Money is
stored as integer cents (exact on SQLite and Postgres alike). Guest names and contacts are
encrypted at rest; phone and email are found through keyed hashes (blind indexes).
`pms_properties` is also where every property of the PMS service is configured, whatever its
adapter (`pms_adapter` + non-secret `pms_settings`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from hotelbot.kit.db import NAMING_CONVENTION
from hotelbot.kit.types import EncryptedText, UtcDateTime


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PmsBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PmsProperty(PmsBase):
    __tablename__ = "pms_properties"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    country: Mapped[str] = mapped_column(String(2), default="")
    check_in_time: Mapped[str] = mapped_column(String(5), default="15:00")
    check_out_time: Mapped[str] = mapped_column(String(5), default="11:00")
    pms_adapter: Mapped[str] = mapped_column(String(32), default="builtin")
    #: Non-secret adapter settings; vendor credentials come from the environment.
    pms_settings: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    #: Built-in tax rules: [{code, name, kind, included, rate}] (rate: percent or cents).
    tax_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class PmsRoomType(PmsBase):
    __tablename__ = "pms_room_types"
    __table_args__ = (UniqueConstraint("property_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    #: The name in other languages: {"es": "Doble estándar", …}.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    max_adults: Mapped[int] = mapped_column(Integer)
    max_children: Mapped[int] = mapped_column(Integer, default=0)
    max_occupancy: Mapped[int] = mapped_column(Integer)
    beds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    size_m2: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amenities: Mapped[list[str]] = mapped_column(JSON, default=list)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class PmsRoom(PmsBase):
    __tablename__ = "pms_rooms"
    __table_args__ = (UniqueConstraint("property_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"))
    room_type_id: Mapped[int] = mapped_column(ForeignKey("pms_room_types.id"))
    number: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int] = mapped_column(Integer, default=0)


class PmsRatePlan(PmsBase):
    __tablename__ = "pms_rate_plans"
    __table_args__ = (UniqueConstraint("property_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    refundable: Mapped[bool] = mapped_column(Boolean)
    breakfast_included: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_days_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fee_nights: Mapped[int] = mapped_column(Integer, default=0)
    fee_percent: Mapped[int] = mapped_column(Integer, default=100)
    policy_description: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class PmsPrice(PmsBase):
    """Price of one room for one night under one rate plan (cents, taxes per property rules)."""

    __tablename__ = "pms_prices"

    rate_plan_id: Mapped[int] = mapped_column(ForeignKey("pms_rate_plans.id"), primary_key=True)
    room_type_id: Mapped[int] = mapped_column(ForeignKey("pms_room_types.id"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class PmsInventory(PmsBase):
    """Rooms of a type sellable on a night; `sold` only moves through conditional UPDATEs."""

    __tablename__ = "pms_inventory"
    __table_args__ = (CheckConstraint("sold >= 0 AND sold <= total", name="sold_within_total"),)

    room_type_id: Mapped[int] = mapped_column(ForeignKey("pms_room_types.id"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    sold: Mapped[int] = mapped_column(Integer, default=0)


class PmsGuest(PmsBase):
    __tablename__ = "pms_guests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"), index=True)
    first_name: Mapped[str] = mapped_column(EncryptedText())
    last_name: Mapped[str] = mapped_column(EncryptedText())
    email: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    phone: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    email_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    language: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class PmsReservation(PmsBase):
    __tablename__ = "pms_reservations"
    __table_args__ = (Index(None, "property_id", "guest_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"))
    guest_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_guests.id"))
    room_type_id: Mapped[int] = mapped_column(ForeignKey("pms_room_types.id"))
    rate_plan_id: Mapped[int] = mapped_column(ForeignKey("pms_rate_plans.id"))
    status: Mapped[str] = mapped_column(String(16))
    check_in: Mapped[dt.date] = mapped_column(Date)
    check_out: Mapped[dt.date] = mapped_column(Date)
    adults: Mapped[int] = mapped_column(Integer)
    children_ages: Mapped[list[int]] = mapped_column(JSON, default=list)
    rooms: Mapped[int] = mapped_column(Integer)
    subtotal_cents: Mapped[int] = mapped_column(BigInteger)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    #: Tax lines as computed at booking time (contract `TaxLine` JSON).
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    notes: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cancellation_fee_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class PmsReservationNight(PmsBase):
    __tablename__ = "pms_reservation_nights"

    reservation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pms_reservations.id", ondelete="CASCADE"), primary_key=True
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class PmsService(PmsBase):
    """A catalogue service (`kind='service'`) or a room-service menu item (`kind='menu'`)."""

    __tablename__ = "pms_services"
    __table_args__ = (UniqueConstraint("property_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"))
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32), default="other")
    section: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    price_cents: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[str] = mapped_column(String(16), default="per_item")
    hours: Mapped[str] = mapped_column(String(64), default="")
    dietary: Mapped[list[str]] = mapped_column(JSON, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class PmsServiceRequest(PmsBase):
    __tablename__ = "pms_service_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    property_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pms_properties.id"), index=True)
    reservation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pms_reservations.id"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    room_number: Mapped[str | None] = mapped_column(String(16), nullable=True)
    service_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    total_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    scheduled_for: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    notes: Mapped[str | None] = mapped_column(EncryptedText(), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class PmsIdempotencyKey(PmsBase):
    """A write's key, inserted in the write's own transaction: a second writer hits the PK."""

    __tablename__ = "pms_idempotency_keys"

    property_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("pms_properties.id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    operation: Mapped[str] = mapped_column(String(32))
    request_hash: Mapped[str] = mapped_column(String(64))
    #: Reservation reference or service request id the key produced.
    result_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
