"""The PMS contract: every shape that crosses the PMS service boundary, in one place.

Adapters return these, the service layer passes them through, REST and GraphQL render them and
`PmsClient` parses them back. Money is `Decimal`, rendered as a string in JSON ("123.40") so no
float ever touches a price; every amount travels with its ISO 4217 `currency`. Dates are the
property's local calendar dates; `check_out` is exclusive (the night of `check_out` is not sold).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
    model_validator,
)

MAX_STAY_NIGHTS = 30
MAX_ROOMS = 9
MAX_GUESTS = 20


def _money_str(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


Money = Annotated[
    Decimal,
    Field(max_digits=14, decimal_places=2, ge=0),
    PlainSerializer(_money_str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+\.\d{2}$", "examples": ["129.00"]}),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Reference = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")]


class _Model(BaseModel):
    # A ValidationError's text would quote the input (guest names, e-mails) into logs and Sentry.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


# ---- properties and inventory description ---------------------------------------------------


class LocalizedText(_Model):
    """A name in one more language, beside the hotel's own (`name`)."""

    #: ISO 639-1 code ("es"); a region suffix is dropped by the adapters ("es-ES" → "es").
    language: str = Field(min_length=2, max_length=8, pattern=r"^[a-z]{2,3}$")
    text: str = Field(min_length=1, max_length=200)


def in_language(name: str, names: list[LocalizedText], language: str) -> str:
    """`name` as the guest reads it: their language's when the PMS has one, else the hotel's."""
    return next((n.text for n in names if n.language == language), name)


class Property(_Model):
    """A hotel as the PMS service knows it; `pms_settings` is non-secret adapter config."""

    id: uuid.UUID
    slug: str
    name: str
    timezone: str = "UTC"
    currency: Currency = "EUR"
    country: str = ""
    check_in_time: dt.time = dt.time(15, 0)
    check_out_time: dt.time = dt.time(11, 0)
    pms_adapter: str = "builtin"
    pms_settings: dict[str, str] = Field(default_factory=dict)
    #: A booking must carry `guest.email` (the vendor demands it, or the hotel asked for it).
    guest_email_required: bool = False


class BedType(StrEnum):
    SINGLE = "single"
    DOUBLE = "double"
    QUEEN = "queen"
    KING = "king"
    SOFA_BED = "sofa_bed"
    BUNK = "bunk"
    CRIB = "crib"


class Bed(_Model):
    type: BedType
    count: int = Field(1, ge=1)


class RoomType(_Model):
    code: Code
    name: str
    #: The name in other languages, where the PMS keeps them.
    names: list[LocalizedText] = Field(default_factory=list)
    description: str = ""
    max_adults: int = Field(ge=1)
    max_children: int = Field(0, ge=0)
    max_occupancy: int = Field(ge=1)
    beds: list[Bed] = Field(default_factory=list)
    size_m2: int | None = None
    amenities: list[str] = Field(default_factory=list)
    photos: list[str] = Field(default_factory=list)


class CancellationPolicy(_Model):
    """Free cancellation until `deadline_days_before` days before arrival (at the property's
    check-in time); after it (or always, when not refundable) the fee is `fee_nights` nights
    of the stay, or else `fee_percent` of the total."""

    refundable: bool
    deadline_days_before: int | None = Field(None, ge=0)
    fee_nights: int = Field(0, ge=0)
    fee_percent: int = Field(100, ge=0, le=100)
    description: str = ""


class RatePlan(_Model):
    code: Code
    name: str
    names: list[LocalizedText] = Field(default_factory=list)
    description: str = ""
    refundable: bool
    breakfast_included: bool = False
    cancellation_policy: CancellationPolicy
    #: Room types this plan sells; empty means all.
    room_type_codes: list[str] = Field(default_factory=list)


# ---- availability and quotes -----------------------------------------------------------------


class Occupancy(_Model):
    """The whole party and how many rooms it needs (spread evenly by the PMS)."""

    adults: int = Field(1, ge=1, le=MAX_GUESTS)
    children_ages: list[Annotated[int, Field(ge=0, le=17)]] = Field(
        default_factory=list, max_length=MAX_GUESTS
    )
    rooms: int = Field(1, ge=1, le=MAX_ROOMS)

    @property
    def children(self) -> int:
        return len(self.children_ages)

    @property
    def guests(self) -> int:
        return self.adults + len(self.children_ages)

    @model_validator(mode="after")
    def _one_adult_per_room(self) -> Occupancy:
        if self.adults < self.rooms:
            raise ValueError("every room needs at least one adult")
        return self


class Stay(_Model):
    check_in: dt.date
    check_out: dt.date
    occupancy: Occupancy = Field(default_factory=Occupancy)

    @model_validator(mode="after")
    def _dates(self) -> Stay:
        nights = (self.check_out - self.check_in).days
        if nights < 1:
            raise ValueError("check_out must be after check_in")
        if nights > MAX_STAY_NIGHTS:
            raise ValueError(f"a stay is at most {MAX_STAY_NIGHTS} nights")
        return self

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def dates(self) -> list[dt.date]:
        return [self.check_in + dt.timedelta(days=i) for i in range(self.nights)]


class NightPrice(_Model):
    """Price of one night for all rooms of the party, before taxes."""

    date: dt.date
    amount: Money


class TaxKind(StrEnum):
    PERCENT = "percent"
    PER_PERSON_PER_NIGHT = "per_person_per_night"
    PER_ROOM_PER_NIGHT = "per_room_per_night"


class TaxLine(_Model):
    code: Code
    name: str
    kind: TaxKind
    #: True when already inside the night prices (VAT); False when added on top (city tax).
    included: bool
    amount: Money


class Offer(_Model):
    """One room type under one rate plan for the requested stay and occupancy."""

    room_type_code: Code
    room_type_name: str
    room_type_names: list[LocalizedText] = Field(default_factory=list)
    rate_plan_code: Code
    rate_plan_name: str
    rate_plan_names: list[LocalizedText] = Field(default_factory=list)
    available_rooms: int = Field(ge=0)
    breakfast_included: bool
    refundable: bool
    nights: list[NightPrice]
    subtotal: Money
    taxes: list[TaxLine] = Field(default_factory=list)
    total: Money
    currency: Currency


class Availability(_Model):
    property_id: uuid.UUID
    check_in: dt.date
    check_out: dt.date
    occupancy: Occupancy
    currency: Currency
    #: Bookable offers only, cheapest first; empty when nothing fits.
    offers: list[Offer]


class QuoteRequest(Stay):
    room_type_code: Code
    rate_plan_code: Code


class Quote(_Model):
    """A priced offer valid until `expires_at`; booking after it may raise `RateChanged`."""

    id: str
    property_id: uuid.UUID
    check_in: dt.date
    check_out: dt.date
    occupancy: Occupancy
    room_type_code: Code
    rate_plan_code: Code
    nights: list[NightPrice]
    subtotal: Money
    taxes: list[TaxLine] = Field(default_factory=list)
    total: Money
    currency: Currency
    cancellation_policy: CancellationPolicy
    #: Last moment to cancel for free (UTC); None when not refundable.
    free_cancellation_until: dt.datetime | None
    expires_at: dt.datetime


# ---- guests and reservations -----------------------------------------------------------------


class GuestContact(_Model):
    """How a guest is found: phone (E.164) or email; at least one."""

    phone: str | None = Field(None, pattern=r"^\+[1-9]\d{6,14}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    @model_validator(mode="after")
    def _one(self) -> GuestContact:
        if not self.phone and not self.email:
            raise ValueError("phone or email is required")
        return self


class GuestDetails(GuestContact):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field("", max_length=100)
    language: str | None = Field(None, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$")


class Guest(GuestDetails):
    id: str


class ReservationStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    NO_SHOW = "no_show"


class ReservationCreate(QuoteRequest):
    guest: GuestDetails
    #: The total the guest agreed to; a different current total raises `RateChanged`.
    expected_total: Money | None = None
    notes: str = Field("", max_length=1000)


class ReservationChange(_Model):
    """New dates and/or occupancy; omitted fields keep their value. Room type and rate plan stay."""

    check_in: dt.date | None = None
    check_out: dt.date | None = None
    occupancy: Occupancy | None = None
    expected_total: Money | None = None


class Reservation(_Model):
    reference: Reference
    property_id: uuid.UUID
    status: ReservationStatus
    check_in: dt.date
    check_out: dt.date
    occupancy: Occupancy
    room_type_code: Code
    rate_plan_code: Code
    guest: Guest
    nights: list[NightPrice]
    subtotal: Money
    taxes: list[TaxLine] = Field(default_factory=list)
    total: Money
    currency: Currency
    cancellation_policy: CancellationPolicy
    free_cancellation_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    cancelled_at: dt.datetime | None = None
    cancellation_fee: Money | None = None


class Cancellation(_Model):
    reference: Reference
    status: ReservationStatus
    cancelled_at: dt.datetime
    fee: Money
    refund: Money
    currency: Currency


# ---- services catalogue and service requests -------------------------------------------------


class ServiceCategory(StrEnum):
    LATE_CHECKOUT = "late_checkout"
    EARLY_CHECKIN = "early_checkin"
    AIRPORT_TRANSFER = "airport_transfer"
    BREAKFAST = "breakfast"
    SPA = "spa"
    PARKING = "parking"
    OTHER = "other"


class PriceUnit(StrEnum):
    PER_STAY = "per_stay"
    PER_PERSON = "per_person"
    PER_NIGHT = "per_night"
    PER_TRIP = "per_trip"
    PER_ITEM = "per_item"
    PER_HOUR = "per_hour"


class Service(_Model):
    code: Code
    category: ServiceCategory
    name: str
    #: The name in other languages, where the PMS keeps them.
    names: list[LocalizedText] = Field(default_factory=list)
    description: str = ""
    price: Money
    unit: PriceUnit
    currency: Currency
    hours: str = ""


class MenuItem(_Model):
    code: Code
    section: str
    name: str
    names: list[LocalizedText] = Field(default_factory=list)
    description: str = ""
    price: Money
    currency: Currency
    dietary: list[str] = Field(default_factory=list)


class ServiceCatalogue(_Model):
    property_id: uuid.UUID
    currency: Currency
    services: list[Service]
    room_service_menu: list[MenuItem]


class ServiceRequestKind(StrEnum):
    HOUSEKEEPING = "housekeeping"
    TOWELS = "towels"
    MAINTENANCE = "maintenance"
    TAXI = "taxi"
    ROOM_SERVICE = "room_service"
    #: A catalogue service (late check-out, transfer, spa...) named by `service_code`.
    SERVICE = "service"
    OTHER = "other"


class ServiceRequestStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class OrderLine(_Model):
    code: Code
    quantity: int = Field(1, ge=1, le=50)


class ServiceRequestCreate(_Model):
    kind: ServiceRequestKind
    reservation_reference: Reference | None = None
    room_number: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,16}$")
    #: Catalogue service code, required when kind is `service`.
    service_code: Code | None = None
    #: Room-service order lines, required when kind is `room_service`.
    items: list[OrderLine] = Field(default_factory=list, max_length=50)
    scheduled_for: dt.datetime | None = None
    notes: str = Field("", max_length=1000)

    @field_validator("scheduled_for")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("scheduled_for needs a timezone")
        return value


class PricedLine(_Model):
    code: Code
    name: str
    quantity: int
    unit_price: Money
    amount: Money


class ServiceRequest(_Model):
    id: str
    property_id: uuid.UUID
    kind: ServiceRequestKind
    status: ServiceRequestStatus
    reservation_reference: Reference | None = None
    room_number: str | None = None
    service_code: Code | None = None
    lines: list[PricedLine] = Field(default_factory=list)
    total: Money | None = None
    currency: Currency
    scheduled_for: dt.datetime | None = None
    notes: str = ""
    created_at: dt.datetime
    updated_at: dt.datetime
