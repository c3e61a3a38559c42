"""Our contract's answers built the same way for every vendor: offers cheapest first, quotes
with their id and expiry, the stay a change asks for, cancellations with the plan's fee.

Each vendor adapter prices and writes through its own API, then answers through these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal

import hotelbot.pms.schemas as pms
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.errors import ReservationNotModifiable

QUOTE_TTL = dt.timedelta(minutes=15)


def availability(
    property: pms.Property,
    check_in: dt.date,
    check_out: dt.date,
    occupancy: pms.Occupancy,
    offers: Iterable[pms.Offer],
    *,
    currency: str | None = None,
) -> pms.Availability:
    """The offers for a stay, cheapest first, in `currency` (default: the property's)."""
    return pms.Availability(
        property_id=property.id,
        check_in=check_in,
        check_out=check_out,
        occupancy=occupancy,
        currency=currency or property.currency,
        offers=sorted(offers, key=lambda o: o.total),
    )


def quote(
    adapter: str,
    property: pms.Property,
    request: pms.QuoteRequest,
    offer: pms.Offer,
    *,
    policy: pms.CancellationPolicy,
    free_until: dt.datetime | None,
    now: dt.datetime,
) -> pms.Quote:
    """The quote for a priced offer, valid for `QUOTE_TTL`; the same request at the same price
    gets the same id."""
    key = request.model_dump_json() + str(offer.total)
    return pms.Quote(
        id=f"{adapter}-" + hashlib.sha256(key.encode()).hexdigest()[:20],
        property_id=property.id,
        check_in=request.check_in,
        check_out=request.check_out,
        occupancy=request.occupancy,
        room_type_code=offer.room_type_code,
        rate_plan_code=offer.rate_plan_code,
        nights=offer.nights,
        subtotal=offer.subtotal,
        taxes=offer.taxes,
        total=offer.total,
        currency=offer.currency,
        cancellation_policy=policy,
        free_cancellation_until=free_until,
        expires_at=now + QUOTE_TTL,
    )


def changed_stay(
    adapter: str, current: pms.Reservation, change: pms.ReservationChange
) -> pms.QuoteRequest:
    """The stay `change` asks for, the rest kept from `current`; only a confirmed reservation
    can change (`ReservationNotModifiable`)."""
    if current.status is not pms.ReservationStatus.CONFIRMED:
        raise ReservationNotModifiable(f"{adapter}: only confirmed reservations can change")
    return pms.QuoteRequest(
        check_in=change.check_in or current.check_in,
        check_out=change.check_out or current.check_out,
        occupancy=change.occupancy or current.occupancy,
        room_type_code=current.room_type_code,
        rate_plan_code=current.rate_plan_code,
    )


def cancelled_at(adapter: str, current: pms.Reservation, now: dt.datetime) -> dt.datetime:
    """When `current` was cancelled, or `now` when it is confirmed and about to be; a stay that
    has started or ended cannot be cancelled (`ReservationNotModifiable`)."""
    if current.status is pms.ReservationStatus.CANCELLED:
        return current.cancelled_at or current.updated_at
    if current.status is pms.ReservationStatus.CONFIRMED:
        return now
    raise ReservationNotModifiable(f"{adapter}: the stay has started or ended")


def cancellation(reference: str, current: pms.Reservation, when: dt.datetime) -> pms.Cancellation:
    """The answer to cancelling `current` at `when`: its plan's fee then (rules in
    `pms/policy.py`), so cancelling twice answers the same way."""
    fee = cancellation_policy.cancellation_fee(
        current.cancellation_policy,
        night_amounts=[n.amount for n in current.nights],
        total=current.total,
        deadline=current.free_cancellation_until,
        now=when,
    )
    return pms.Cancellation(
        reference=reference,
        status=pms.ReservationStatus.CANCELLED,
        cancelled_at=when,
        fee=fee,
        # Payments stay in the vendor's PMS; the adapters move no money, so nothing is refunded.
        refund=Decimal("0.00"),
        currency=current.currency,
    )


def newest_first(reservations: Iterable[pms.Reservation]) -> list[pms.Reservation]:
    return sorted(reservations, key=lambda r: r.check_in, reverse=True)
