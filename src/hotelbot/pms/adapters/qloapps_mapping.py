"""QloApps webservice JSON → our contract, request shapes, and QloApps errors → our typed errors
(pure functions).

Kept apart from `qloapps.py` so the adapter reads as the sequence of webservice calls it makes.
QloApps (PrestaShop's webservice) answers JSON when asked with `output_format=JSON`; its money is
a number excluding tax plus a separate tax amount, its datetimes are "YYYY-MM-DD HH:MM:SS" in the
shop's local time, and an empty listing comes back as `[]` instead of `{"<resource>": []}`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import structlog

from hotelbot.pms import policy as policy_rules
from hotelbot.pms.adapters import vendor, vendor_errors
from hotelbot.pms.errors import PmsError, ReservationNotFound, RoomUnavailable
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
#: Bookings API `booking_status` values.
BOOKING_NEW = 1
BOOKING_CANCELLED = 3
#: QloApps keeps no child ages in a booking; children read back with this age.
CHILD_AGE = 10
PLAN_PREFIX = "base-"


# ---- errors ------------------------------------------------------------------------------


def error_messages(body: Any) -> list[str]:
    """The lowercased `errors[].message` texts of an error answer, for matching only: they are
    never copied into our messages because they can echo guest input."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return [str(e.get("message") or "").lower() for e in errors or [] if isinstance(e, dict)]


def http_error(
    operation: str, status: int, messages: list[str], not_found: type[PmsError] | None
) -> PmsError:
    """Map a QloApps error answer; a refused key is `VendorMisconfigured` (see `vendor_errors`)."""
    log.warning("pms.qloapps.error", operation=operation, status=status)
    text = " ".join(messages)
    if status in (401, 403, 405):
        return vendor_errors.credentials_refused(
            "qloapps", "the webservice key was refused or may not use this resource"
        )
    if status == 404 and not_found is not None:
        return not_found("qloapps: unknown reservation reference")
    if status == 400:
        if "not available" in text:
            return RoomUnavailable("qloapps: no room of this type for the whole stay")
        if "booking not found" in text:
            return ReservationNotFound("qloapps: unknown reservation reference")
    return vendor_errors.status_error("qloapps", operation, status)


# ---- request shapes ----------------------------------------------------------------------


def ari_request(
    hotel_id: str,
    check_in: dt.date,
    check_out: dt.date,
    occupancy: Occupancy | None,
    room_type: str | None = None,
) -> bytes:
    """The XML body of a date-wise `hotel_ari` search (the resource reads XML only).

    Without an occupancy every room state is asked for, so sold-out room types still appear.
    """
    root = ElementTree.Element("qloapps")
    ari = ElementTree.SubElement(root, "hotel_ari")
    fields = {"id_hotel": hotel_id, "date_from": check_in, "date_to": check_out}
    if room_type:
        fields["id_room_type"] = room_type
    fields |= {"get_available_rooms": 1, "date_wise_breakdown": 1}
    if occupancy is None:
        fields |= {"get_booked_rooms": 1, "get_unavailable_rooms": 1}
    for name, value in fields.items():
        ElementTree.SubElement(ari, name).text = str(value)
    if occupancy is not None:
        rooms = ElementTree.SubElement(
            ElementTree.SubElement(ari, "associations"), "room_occupancies"
        )
        for adults, children in vendor.room_parties(occupancy):
            one = ElementTree.SubElement(rooms, "room_occupancy")
            ElementTree.SubElement(one, "adults").text = str(adults)
            ElementTree.SubElement(one, "children").text = str(children)
    return ElementTree.tostring(root, encoding="utf-8")


def room_line(room_type: str, check_in: dt.date, check_out: dt.date, occupancy: Occupancy) -> Body:
    """One `room_types` entry of a booking: `number_of_rooms` rooms, one party per room."""
    ages = list(occupancy.children_ages)
    rooms = []
    for adults, children in vendor.room_parties(occupancy):
        rooms.append({"adults": adults, "child": children, "child_ages": ages[:children]})
        ages = ages[children:]
    return {
        "id_room_type": int(room_type),
        "checkin_date": check_in.isoformat(),
        "checkout_date": check_out.isoformat(),
        "number_of_rooms": occupancy.rooms,
        "rooms": rooms,
    }


def kept_lines(raw: Body) -> list[Body]:
    """A booking's room lines as a PUT must resend them to leave them unchanged (same type,
    dates and physical rooms)."""
    return [
        {
            "id_room_type": line["id_room_type"],
            "checkin_date": line["checkin_date"],
            "checkout_date": line["checkout_date"],
            "number_of_rooms": line["number_of_rooms"],
            "rooms": [{"id_room": room["id_room"]} for room in line.get("rooms") or []],
        }
        for line in room_lines(raw)
    ]


def customer_detail(raw: Body) -> Body:
    """The booking's customer as a PUT must send it (QloApps finds the customer by e-mail)."""
    found = raw["associations"]["customer_detail"]
    keys = ("firstname", "lastname", "email", "phone")
    return {k: found.get(k) or "" for k in keys}


# ---- answers -----------------------------------------------------------------------------


def listing(body: Any, resource: str) -> list[Body]:
    """The rows of a listing; PrestaShop answers an empty one with `[]`."""
    rows = body.get(resource) if isinstance(body, dict) else None
    return [r for r in rows or [] if isinstance(r, dict)]


def text(value: Any) -> str:
    """A multi-language field (`[{"id": "1", "value": ...}]`, or a plain string when the shop
    has one language) in the first language, without HTML tags."""
    if isinstance(value, list):
        value = value[0].get("value") if value and isinstance(value[0], dict) else ""
    return re.sub(r"<[^>]+>", "", str(value or "")).strip()


def plan_code(room_type: Any) -> str:
    """QloApps sells one price per room type: its rate plan is named after the room type."""
    return f"{PLAN_PREFIX}{room_type}"


def room_type_of(plan: str) -> str | None:
    return plan.removeprefix(PLAN_PREFIX) if plan.startswith(PLAN_PREFIX) else None


def room_type(row: Body) -> RoomType:
    """A `room_types` row; occupancy limits fall back to the base occupancy, then to 2 adults."""
    adults = int(row.get("max_adults") or row.get("adults") or 2)
    children = int(row.get("max_children") or row.get("children") or 0)
    guests = int(row.get("max_guests") or adults + children)
    return RoomType(
        code=str(row["id"]),
        name=text(row.get("name")) or f"Room type {row['id']}",
        description=text(row.get("description")),
        max_adults=adults,
        max_children=children,
        max_occupancy=max(guests, adults),
    )


def ari_days(body: Any) -> list[Body]:
    """The per-night entries of a date-wise `hotel_ari` answer (one night comes as one entry)."""
    if isinstance(body, dict) and isinstance(body.get("hotel_aris"), list):
        return list(body["hotel_aris"])
    if isinstance(body, dict) and isinstance(body.get("hotel_ari"), dict):
        return [body["hotel_ari"]]
    return []


def ari_room_type_ids(days: Iterable[Body]) -> list[str]:
    seen: dict[str, None] = {}
    for day in days:
        for row in day.get("room_types") or []:
            seen[str(row["id_room_type"])] = None
    return list(seen)


def ari_stay(days: list[Body], room_type: str) -> tuple[list[Body], int] | None:
    """The room type's row for every night of the stay and how many physical rooms are free on
    all of them (QloApps keeps a guest in one room for the whole stay); None when a night is
    missing."""
    rows: list[Body] = []
    free: set[str] | None = None
    for day in days:
        row = next(
            (r for r in day.get("room_types") or [] if str(r["id_room_type"]) == room_type), None
        )
        if row is None:
            return None
        rows.append(row | {"night": day["date_from"]})
        available = {str(r["id_room"]) for r in (row.get("rooms") or {}).get("available") or []}
        free = available if free is None else free & available
    if not rows:
        return None
    return rows, len(free or set())


def ari_prices(rows: list[Body], rooms: int) -> tuple[list[NightPrice], Decimal]:
    """Nights before tax and the tax of the stay, for `rooms` rooms."""
    nights = [
        NightPrice(
            date=dt.date.fromisoformat(str(r["night"])[:10]),
            amount=vendor.money(r.get("total_price")) * rooms,
        )
        for r in rows
    ]
    tax = sum(
        (
            vendor.money(r.get("total_price_with_tax")) - vendor.money(r.get("total_price"))
            for r in rows
        ),
        Decimal(0),
    )
    return nights, max(tax * rooms, Decimal("0.00"))


def room_lines(raw: Body) -> list[Body]:
    return list(raw.get("associations", {}).get("room_types") or [])


def remarks(raw: Body) -> list[str]:
    return [str(r) for r in raw.get("associations", {}).get("remarks") or []]


def local_time(text_value: str, timezone: str) -> dt.datetime:
    """A QloApps datetime (shop-local "YYYY-MM-DD HH:MM:SS") as an aware UTC datetime."""
    naive = dt.datetime.fromisoformat(text_value.strip().replace(" ", "T"))
    return naive.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def spread(amount: Decimal, days: list[dt.date]) -> list[NightPrice]:
    """A stay's booked amount split evenly over its nights (QloApps keeps one amount per room
    for the whole stay); the last night takes the rounding."""
    share = (amount / len(days)).quantize(vendor.CENT)
    amounts = [share] * (len(days) - 1) + [amount - share * (len(days) - 1)]
    return [NightPrice(date=d, amount=a) for d, a in zip(days, amounts, strict=True)]


def reservation(
    property: Property,
    raw: Body,
    order: Body,
    policy: CancellationPolicy,
    cancelled_states: frozenset[str],
) -> Reservation:
    """Our view of a `bookings/{id}` answer and its `orders/{id}` row, under the plan's policy."""
    lines = room_lines(raw)
    if not lines:
        raise PmsError("qloapps: the booking has no rooms")
    rooms = [room for line in lines for room in line.get("rooms") or []]
    check_in = min(dt.date.fromisoformat(str(x["checkin_date"])[:10]) for x in lines)
    check_out = max(dt.date.fromisoformat(str(x["checkout_date"])[:10]) for x in lines)
    days = [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]
    subtotal = sum((vendor.money(r.get("unit_price_without_tax")) for r in rooms), Decimal(0))
    prices = raw["associations"].get("price_details") or {}
    total = vendor.money(prices.get("total_price_without_tax")) + vendor.money(
        prices.get("total_tax")
    )
    total = max(total, subtotal)
    status = ReservationStatus.CONFIRMED
    if str(order.get("current_state")) in cancelled_states:
        status = ReservationStatus.CANCELLED
    created = local_time(str(raw.get("booking_date") or order["date_add"]), property.timezone)
    updated = local_time(str(order.get("date_upd") or order["date_add"]), property.timezone)
    return Reservation(
        reference=str(raw["id"]),
        property_id=property.id,
        status=status,
        check_in=check_in,
        check_out=check_out,
        occupancy=occupancy(rooms),
        room_type_code=str(lines[0]["id_room_type"]),
        rate_plan_code=plan_code(lines[0]["id_room_type"]),
        guest=guest(raw),
        nights=spread(subtotal, days),
        subtotal=subtotal,
        taxes=vendor.extra_taxes(total - subtotal),
        total=total,
        currency=property.currency,
        cancellation_policy=policy,
        free_cancellation_until=policy_rules.property_deadline(property, policy, check_in),
        created_at=created,
        updated_at=max(updated, created),
        cancelled_at=max(updated, created) if status is ReservationStatus.CANCELLED else None,
    )


def occupancy(rooms: list[Body]) -> Occupancy:
    adults = sum(int(r.get("adults") or 0) for r in rooms)
    children = sum(int(r.get("child") or 0) for r in rooms)
    count = max(len(rooms), 1)
    return Occupancy(adults=max(adults, count), children_ages=[CHILD_AGE] * children, rooms=count)


def guest(raw: Body) -> Guest:
    found = raw["associations"].get("customer_detail") or {}
    phone = vendor.e164(str(found.get("phone") or ""))
    email = vendor.email(str(found.get("email") or ""))
    if not phone and not email:
        raise PmsError("qloapps: the booking's customer has no usable phone or email")
    return Guest(
        id=str(found.get("id_customer") or raw["id"]),
        first_name=str(found.get("firstname") or "Guest"),
        last_name=str(found.get("lastname") or ""),
        phone=phone,
        email=email,
    )
