"""Mews Connector JSON → our contract, and Mews error answers → our typed errors (pure functions).

Also the enterprise `Setup` and the request shapes derived from it (intervals, stays, person
counts). Kept apart from `mews.py` so the adapter reads as the sequence of Connector calls it makes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog

import hotelbot.pms.schemas as pms
from hotelbot.pms import policy as policy_rules
from hotelbot.pms.adapters import vendor, vendor_errors
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    PmsUnavailable,
    ReservationNotFound,
    ReservationNotModifiable,
    RoomUnavailable,
)

log = structlog.get_logger(__name__)
Body = dict[str, Any]
_DURATION = re.compile(r"(\d+)D(?:T(\d+)H)?")
STATES = {
    "Canceled": pms.ReservationStatus.CANCELLED,
    "Started": pms.ReservationStatus.CHECKED_IN,
    "Processed": pms.ReservationStatus.CHECKED_OUT,
}


@dataclass(frozen=True)
class Setup:
    """Enterprise configuration read once and cached: it changes rarely and every call needs it."""

    timezone: str
    currency: str
    service_id: str
    check_in: dt.time
    check_out: dt.time
    room_types: dict[str, pms.RoomType]
    rate_plans: dict[str, pms.RatePlan]
    adult_id: str
    child_id: str | None
    child_age: int
    loaded_at: dt.datetime


@dataclass(frozen=True)
class Priced:
    nights: list[pms.NightPrice]
    tax: Decimal
    tax_code: str


# ---- errors ------------------------------------------------------------------------------


def error_for(operation: str, response: httpx.Response) -> PmsError:
    """Map a Mews error answer (guidelines/responses) to our typed error; refused tokens are
    `VendorMisconfigured` (see `vendor_errors`)."""
    status = response.status_code
    try:
        message = str(response.json().get("Message") or "")
    except (ValueError, AttributeError):
        message = ""
    lowered = message.lower()
    log.warning(
        "pms.mews.error",
        operation=operation,
        status=status,
        request_id=response.headers.get("x-request-id"),
        retry_after=response.headers.get("Retry-After"),
    )
    if status == 400 and "reservation" in lowered:
        if "invalid" in lowered or "not found" in lowered:
            return ReservationNotFound("mews: unknown reservation reference")
    if status == 401:
        return vendor_errors.credentials_refused("mews", "invalid ClientToken or AccessToken")
    if status == 403:
        if "availab" in lowered or "overbook" in lowered:
            return RoomUnavailable("mews: no room of this type for the whole stay")
        if "cannot be" in lowered or "state" in lowered:
            return ReservationNotModifiable("mews: the reservation cannot change any more")
        return InvalidRequest(f"mews: {operation} refused by a business rule")
    if status == 409:
        # "The data has changed": refreshing and resubmitting is the documented cure.
        return PmsError(f"mews: {operation} conflicted with a concurrent change", retryable=True)
    if status == 408:
        return PmsUnavailable(f"mews: {operation} answered {status}")
    return vendor_errors.status_error("mews", operation, status)


# ---- mapping helpers ---------------------------------------------------------------------


def parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def offset_time(duration: str | None, default: dt.time) -> dt.time:
    """The time of day in a Mews offset such as `P0M0DT15H0M0S`."""
    match = _DURATION.search(duration or "")
    if not match or match.group(2) is None:
        return default
    return dt.time(int(match.group(2)) % 24, 0)


def offset_days(duration: str | None) -> int:
    match = _DURATION.search(duration or "")
    return int(match.group(1)) if match else 0


def localized(names: Body | None, fallback: str = "") -> str:
    names = names or {}
    for language in ("en-US", "en-GB"):
        if names.get(language):
            return str(names[language])
    return str(next(iter(names.values()), fallback))


def names_by_language(names: Body | None) -> list[pms.LocalizedText]:
    """Mews' localized texts ({"es-ES": …, "pt-BR": …}) by language, the first of each wins."""
    found: dict[str, str] = {}
    for key, text in (names or {}).items():
        language = str(key).partition("-")[0].lower()
        if text and language.isascii() and language.isalpha() and 2 <= len(language) <= 3:
            found.setdefault(language, str(text)[:200])
    return [pms.LocalizedText(language=lang, text=text) for lang, text in sorted(found.items())]


def tax_code(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", text)[:64] or "tax"


def room_type(category: Body) -> pms.RoomType:
    beds = int(category.get("Capacity") or 1) + int(category.get("ExtraCapacity") or 0)
    return pms.RoomType(
        code=category["Id"],
        name=localized(category.get("Names"), "Room"),
        names=names_by_language(category.get("Names")),
        description=localized(category.get("Descriptions")),
        max_adults=beds,
        max_children=max(beds - 1, 0),
        max_occupancy=beds,
    )


def cancellation_policy(raw: Body | None) -> pms.CancellationPolicy:
    if raw is None:
        return pms.CancellationPolicy(
            refundable=True, deadline_days_before=0, fee_percent=Decimal(0), description=""
        )
    relative = Decimal(str(raw.get("RelativeFee") or 0)) * 100
    if raw.get("Applicability") == "Creation":
        return pms.CancellationPolicy(
            refundable=False, fee_percent=relative or Decimal(100), description="Non-refundable"
        )
    return pms.CancellationPolicy(
        refundable=True,
        deadline_days_before=offset_days(raw.get("ApplicabilityOffset")),
        fee_nights=int(raw.get("FeeMaximumTimeUnits") or 0),
        fee_percent=relative,
    )


def rate_plan(rate: Body, policy: Body | None) -> pms.RatePlan:
    cancellation = cancellation_policy(policy)
    return pms.RatePlan(
        code=rate["Id"],
        name=localized(rate.get("ExternalNames"), rate.get("Name") or "Rate"),
        names=names_by_language(rate.get("ExternalNames")),
        refundable=cancellation.refundable,
        cancellation_policy=cancellation,
    )


def fits(room: pms.RoomType, occupancy: pms.Occupancy) -> bool:
    per_room = -(-occupancy.guests // occupancy.rooms)
    return per_room <= room.max_occupancy


def tax_lines(priced: Priced) -> list[pms.TaxLine]:
    # Mews prices gross ("Pricing": "Gross"): the VAT is already inside the night prices.
    return [
        pms.TaxLine(
            code=priced.tax_code,
            name=priced.tax_code,
            kind=pms.TaxKind.PERCENT,
            included=True,
            amount=priced.tax,
        )
    ]


def guest(customer: Body) -> pms.Guest:
    phone = vendor.e164(customer.get("Phone"))
    email = vendor.email(customer.get("Email"))
    if not phone and not email:
        raise PmsError("mews: the reservation owner has no usable phone or email")
    return pms.Guest(
        id=customer["Id"],
        first_name=customer.get("FirstName") or customer.get("LastName") or "Guest",
        last_name=customer.get("LastName") or "",
        phone=phone,
        email=email,
        language=customer.get("LanguageCode"),
    )


# ---- request shapes from the setup -------------------------------------------------------


def night_start(setup: Setup, night: dt.date) -> str:
    local = dt.datetime.combine(night, dt.time(0, 0), ZoneInfo(setup.timezone))
    return utc_text(local)


def interval(setup: Setup, check_in: dt.date, check_out: dt.date) -> Body:
    last = check_out - dt.timedelta(days=1)
    return {
        "FirstTimeUnitStartUtc": night_start(setup, check_in),
        "LastTimeUnitStartUtc": night_start(setup, last),
    }


def stay_utc(setup: Setup, check_in: dt.date, check_out: dt.date) -> Body:
    zone = ZoneInfo(setup.timezone)
    return {
        "StartUtc": utc_text(dt.datetime.combine(check_in, setup.check_in, zone)),
        "EndUtc": utc_text(dt.datetime.combine(check_out, setup.check_out, zone)),
    }


def person_counts(setup: Setup, occupancy: pms.Occupancy) -> list[Body]:
    counts = [{"AgeCategoryId": setup.adult_id, "Count": occupancy.adults}]
    if occupancy.children:
        if setup.child_id is None:
            raise InvalidRequest("mews: this property takes no children")
        counts.append({"AgeCategoryId": setup.child_id, "Count": occupancy.children})
    return counts


def occupancy(setup: Setup, counts: list[Body]) -> pms.Occupancy:
    adults = sum(c["Count"] for c in counts if c["AgeCategoryId"] == setup.adult_id)
    children = sum(c["Count"] for c in counts if c["AgeCategoryId"] != setup.adult_id)
    # Mews keeps age categories, not ages: report the category's upper age.
    return pms.Occupancy(adults=max(adults, 1), children_ages=[setup.child_age] * children)


def deadline(setup: Setup, plan: pms.RatePlan, check_in: dt.date) -> dt.datetime | None:
    return policy_rules.free_cancellation_until(
        plan.cancellation_policy,
        check_in=check_in,
        check_in_time=setup.check_in,
        timezone=setup.timezone,
    )


def offer(
    setup: Setup, room: pms.RoomType, plan: pms.RatePlan, priced: Priced, free: int
) -> pms.Offer:
    subtotal = sum((n.amount for n in priced.nights), Decimal(0))
    return pms.Offer(
        room_type_code=room.code,
        room_type_name=room.name,
        room_type_names=room.names,
        rate_plan_code=plan.code,
        rate_plan_name=plan.name,
        rate_plan_names=plan.names,
        available_rooms=max(free, 0),
        breakfast_included=plan.breakfast_included,
        refundable=plan.refundable,
        nights=priced.nights,
        subtotal=subtotal,
        taxes=tax_lines(priced),
        total=subtotal,
        currency=setup.currency,
    )
