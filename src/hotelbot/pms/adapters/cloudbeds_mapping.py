"""Cloudbeds PMS API v1.3 JSON → our contract, request shapes, and Cloudbeds errors → our typed
errors (pure functions).

Kept apart from `cloudbeds.py` so the adapter reads as the sequence of API calls it makes.
Cloudbeds money is a float or a string (read through `vendor.money`); its datetimes are
"YYYY-MM-DD HH:MM:SS" in UTC and its dates ISO days.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import structlog

from hotelbot.pms import policy as policy_rules
from hotelbot.pms.adapters import vendor, vendor_errors
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    ReservationNotFound,
    ReservationNotModifiable,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    CancellationPolicy,
    Guest,
    NightPrice,
    Occupancy,
    Property,
    Reservation,
    ReservationStatus,
    RoomType,
)

log = structlog.get_logger(__name__)
Body = dict[str, Any]
BASE_PLAN = "base"
#: Cloudbeds keeps no child ages; reservations read back report this age per child.
CHILD_AGE = 10
STATUSES = {
    "confirmed": ReservationStatus.CONFIRMED,
    "not_confirmed": ReservationStatus.CONFIRMED,
    "canceled": ReservationStatus.CANCELLED,
    "checked_in": ReservationStatus.CHECKED_IN,
    "checked_out": ReservationStatus.CHECKED_OUT,
    "no_show": ReservationStatus.NO_SHOW,
}


# ---- errors ------------------------------------------------------------------------------


def http_error(method: str, status: int) -> PmsError:
    """Map a Cloudbeds HTTP error; a refused key is `VendorMisconfigured` (see `vendor_errors`)."""
    log.warning("pms.cloudbeds.error", operation=method, status=status)
    if status == 401:
        return vendor_errors.credentials_refused("cloudbeds", "the API key was refused")
    if status == 403:
        return vendor_errors.credentials_refused(
            "cloudbeds", "the API key may not use this method or property"
        )
    return vendor_errors.status_error("cloudbeds", method, status)


def refusal(method: str, message: str) -> PmsError:
    """Map a `success: false` message (HTTP 200) to our typed error; a key that lost its user
    or its access to the property is `VendorMisconfigured`, as a refused key."""
    lowered = message.lower()
    log.warning("pms.cloudbeds.refused", operation=method, message_length=len(message))
    if "not available" in lowered or "availability" in lowered:
        return RoomUnavailable("cloudbeds: no room of this type for the whole stay")
    if "reservation" in lowered and "not found" in lowered:
        return ReservationNotFound("cloudbeds: unknown reservation reference")
    if "can not be modified" in lowered or "cannot be modified" in lowered:
        return ReservationNotModifiable("cloudbeds: the reservation cannot change any more")
    if "not active anymore" in lowered:
        return vendor_errors.credentials_refused(
            "cloudbeds", "the user who connected hotelbot was deactivated"
        )
    if "property" in lowered:
        return vendor_errors.credentials_refused(
            "cloudbeds", "the API key has no access to this property"
        )
    return InvalidRequest(f"cloudbeds: {method} refused the request")


# ---- request shapes ----------------------------------------------------------------------


def form_text(value: Any) -> str:
    """A query or form value as Cloudbeds reads it (booleans as `true`/`false`, ISO dates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def per_room(occupancy: Occupancy) -> Occupancy:
    """The party of one room (rounded up): Cloudbeds prices a room for a given party."""
    return Occupancy(
        adults=-(-occupancy.adults // occupancy.rooms),
        children_ages=occupancy.children_ages[: -(-occupancy.children // occupancy.rooms)],
    )


def room_fields(rate_id: str, room_type: str, occupancy: Occupancy) -> Body:
    """One `rooms[i]` / `adults[i]` / `children[i]` entry per room, the party spread evenly."""
    fields: Body = {}
    for i, (adults, kids) in enumerate(vendor.room_parties(occupancy)):
        fields |= {
            f"rooms[{i}][roomTypeID]": room_type,
            f"rooms[{i}][quantity]": 1,
            f"rooms[{i}][roomRateID]": rate_id,
            f"adults[{i}][roomTypeID]": room_type,
            f"adults[{i}][quantity]": adults,
            f"children[{i}][roomTypeID]": room_type,
            f"children[{i}][quantity]": kids,
        }
    return fields


# ---- answers -----------------------------------------------------------------------------


def plan_code(row: Body) -> str:
    return str(row.get("ratePlanID") or BASE_PLAN)


def parse_time(text: str) -> dt.datetime:
    # Cloudbeds datetimes are "YYYY-MM-DD HH:MM:SS" in UTC.
    return dt.datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=dt.UTC)


def room_type(row: Body) -> RoomType:
    return RoomType(
        code=row["roomTypeID"],
        name=row["roomTypeName"],
        description=row.get("roomTypeDescription") or "",
        max_adults=int(row["maxGuests"]),
        max_children=max(int(row["maxGuests"]) - 1, 0),
        max_occupancy=int(row["maxGuests"]),
    )


def rate_nights(row: Body, rooms: int) -> list[NightPrice]:
    """The nights of a `getRatePlans` row (`detailedRates`), priced for `rooms` rooms."""
    return [
        NightPrice(
            date=dt.date.fromisoformat(d["date"]),
            amount=vendor.money(d.get("totalRate", d.get("rate"))) * rooms,
        )
        for d in row.get("roomRateDetailed") or []
    ]


def reservation(
    property: Property, raw: Body, guest_row: Body, policy: CancellationPolicy
) -> Reservation:
    """Our view of a `getReservation` answer and its `getGuest` row, under the plan's policy."""
    rooms = list(raw.get("unassigned") or []) + list(raw.get("assigned") or [])
    by_night: dict[dt.date, Decimal] = defaultdict(Decimal)
    for room in rooms:
        for day in room.get("dailyRates") or []:
            by_night[dt.date.fromisoformat(day["date"])] += vendor.money(day["rate"])
    nights = [NightPrice(date=d, amount=a) for d, a in sorted(by_night.items())]
    subtotal = sum((n.amount for n in nights), Decimal(0))
    total = max(vendor.money(raw.get("total")), subtotal)
    check_in = dt.date.fromisoformat(raw["startDate"])
    modified = parse_time(raw.get("dateModified") or raw["dateCreated"])
    status = STATUSES.get(raw["status"], ReservationStatus.CONFIRMED)
    return Reservation(
        reference=str(raw["reservationID"]),
        property_id=property.id,
        status=status,
        check_in=check_in,
        check_out=dt.date.fromisoformat(raw["endDate"]),
        occupancy=occupancy(rooms),
        room_type_code=str(rooms[0]["roomTypeID"]) if rooms else "unknown",
        rate_plan_code=reservation_plan(raw),
        guest=guest(guest_row, raw),
        nights=nights,
        subtotal=subtotal,
        taxes=vendor.extra_taxes(total - subtotal),
        total=total,
        currency=property.currency,
        cancellation_policy=policy,
        free_cancellation_until=policy_rules.property_deadline(property, policy, check_in),
        created_at=parse_time(raw["dateCreated"]),
        updated_at=modified,
        cancelled_at=modified if status is ReservationStatus.CANCELLED else None,
    )


def reservation_plan(raw: Body) -> str:
    """The plan code we stored after the marker in `thirdPartyIdentifier`."""
    return (raw.get("thirdPartyIdentifier") or "").partition(":")[2] or BASE_PLAN


def occupancy(rooms: list[Body]) -> Occupancy:
    adults = sum(int(r.get("adults") or 0) for r in rooms)
    children = sum(int(r.get("children") or 0) for r in rooms)
    return Occupancy(
        adults=max(adults, 1), children_ages=[CHILD_AGE] * children, rooms=max(len(rooms), 1)
    )


def guest(guest_row: Body, raw: Body) -> Guest:
    phone = vendor.e164(guest_row.get("cellPhone") or guest_row.get("phone"))
    email = vendor.email(guest_row.get("email") or raw.get("guestEmail"))
    if not phone and not email:
        raise PmsError("cloudbeds: the reservation's guest has no usable phone or email")
    return Guest(
        id=str(raw.get("guestID") or guest_row.get("guestID") or raw["reservationID"]),
        first_name=guest_row.get("firstName") or "Guest",
        last_name=guest_row.get("lastName") or "",
        phone=phone,
        email=email,
    )
