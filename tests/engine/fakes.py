"""Fake `Tools` for engine tests: an in-memory PMS with the same rights rules as the real tools.

`FakeTools` records every call (handoffs, opt-outs, PMS writes) so tests assert on what the
engine did, not on how. Prices are our own: a double at 120.00 a night, and so on. Set
`fail_with` to make the next PMS call raise (e.g. `PmsUnavailable()`), `sold_out` to make room
types unavailable at booking time, and `price_bump` to make the next create see a new price.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from hotelbot.engine.tools import HandoffReason, e164, same_name
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import RateChanged, RoomUnavailable
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    CancellationPolicy,
    Guest,
    NightPrice,
    Occupancy,
    Offer,
    Quote,
    QuoteRequest,
    Reservation,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
    RoomType,
    ServiceCatalogue,
    ServiceRequest,
    ServiceRequestCreate,
    ServiceRequestStatus,
)

PROPERTY_ID = uuid.UUID("11111111-2222-4333-8444-555555555555")
GUEST_PHONE = "+351910000001"
#: code → (name, nightly price, max guests)
ROOM_TYPES: dict[str, tuple[str, Decimal, int]] = {
    "DBL": ("Double Room", Decimal("120.00"), 2),
    "TWN": ("Twin Room", Decimal("110.00"), 2),
    "FAM": ("Family Room", Decimal("180.00"), 4),
    "STE": ("Sea View Suite", Decimal("260.00"), 3),
}
#: code → (name, price factor, refundable, breakfast)
RATE_PLANS: dict[str, tuple[str, Decimal, bool, bool]] = {
    "FLEX": ("Flexible + breakfast", Decimal("1.15"), True, True),
    "NRF": ("Non-refundable", Decimal("0.90"), False, False),
}
FLEX_POLICY = CancellationPolicy(refundable=True, deadline_days_before=2, fee_nights=1)
NRF_POLICY = CancellationPolicy(refundable=False, fee_percent=100)


def nightly(room: str, rate: str) -> Decimal:
    return (ROOM_TYPES[room][1] * RATE_PLANS[rate][1]).quantize(Decimal("0.01"))


@dataclass
class FakeTools:
    """Implements `engine.tools.Tools` over memory; remembers what the engine asked for."""

    phone: str = GUEST_PHONE
    handoffs: list[HandoffReason] = field(default_factory=list)
    opt_outs: list[bool] = field(default_factory=list)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    created: list[ReservationCreate] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    service_requests: list[ServiceRequestCreate] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    verified: set[str] = field(default_factory=set)
    fail_with: Exception | None = None
    sold_out: set[str] = field(default_factory=set)
    price_bump: Decimal = Decimal("0")

    async def request_handoff(self, reason: HandoffReason) -> None:
        self.handoffs.append(reason)

    async def record_opt_out(self, opted_out: bool) -> None:
        self.opt_outs.append(opted_out)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error

    async def check_availability(
        self, *, check_in: dt.date, check_out: dt.date, occupancy: Occupancy
    ) -> Availability:
        self._call("check_availability")
        nights = (check_out - check_in).days
        offers = [
            _offer(room, rate, check_in, nights, occupancy.rooms)
            for room, (_, _, cap) in ROOM_TYPES.items()
            for rate in RATE_PLANS
            if occupancy.guests <= cap * occupancy.rooms and room not in self.sold_out
        ]
        offers.sort(key=lambda o: o.total)
        return Availability(
            property_id=PROPERTY_ID,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            currency="EUR",
            offers=offers,
        )

    async def quote(self, request: QuoteRequest) -> Quote:
        self._call("quote")
        offer = _offer(
            request.room_type_code,
            request.rate_plan_code,
            request.check_in,
            request.nights,
            request.occupancy.rooms,
        )
        now = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.UTC)
        return Quote(
            id=f"Q-{len(self.calls)}",
            property_id=PROPERTY_ID,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=request.room_type_code,
            rate_plan_code=request.rate_plan_code,
            nights=offer.nights,
            subtotal=offer.subtotal,
            total=offer.total,
            currency="EUR",
            cancellation_policy=_policy(request.rate_plan_code),
            free_cancellation_until=None,
            expires_at=now + dt.timedelta(minutes=30),
        )

    async def create_booking(
        self, request: ReservationCreate, *, idempotency_key: str
    ) -> Reservation:
        self._call("create_booking")
        if idempotency_key in self.keys:
            return self.reservations[self.keys[idempotency_key]]
        if request.room_type_code in self.sold_out:
            raise RoomUnavailable("room type sold out")
        offer = _offer(
            request.room_type_code,
            request.rate_plan_code,
            request.check_in,
            request.nights,
            request.occupancy.rooms,
        )
        total = offer.total + self.price_bump
        if request.expected_total is not None and request.expected_total != total:
            self.price_bump = Decimal("0")
            raise RateChanged("price changed")
        guest = Guest(**request.guest.model_dump(), id="G1")
        guest = guest.model_copy(update={"phone": e164(self.phone)})
        reference = f"HB{len(self.reservations) + 1:04d}X"
        reservation = _reservation(reference, request, guest, offer)
        self.reservations[reference] = reservation
        self.keys[idempotency_key] = reference
        self.created.append(request)
        return reservation

    async def my_bookings(self) -> list[Reservation]:
        self._call("my_bookings")
        return [r for r in self.reservations.values() if r.guest.phone == e164(self.phone)]

    async def find_booking(self, reference: str, last_name: str) -> Reservation | None:
        self._call("find_booking")
        found = self.reservations.get(reference.strip().upper())
        if found is None or not same_name(found.guest.last_name, last_name):
            return None
        self.verified.add(found.reference)
        return found

    async def change_booking(self, reference: str, change: ReservationChange) -> Reservation:
        self._call("change_booking")
        current = self._authorised(reference)
        updated = current.model_copy(
            update={
                k: v
                for k, v in {
                    "check_in": change.check_in,
                    "check_out": change.check_out,
                    "occupancy": change.occupancy,
                }.items()
                if v is not None
            }
        )
        self.reservations[current.reference] = updated
        return updated

    async def cancel_booking(self, reference: str) -> Cancellation:
        self._call("cancel_booking")
        current = self._authorised(reference)
        now = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.UTC)
        self.reservations[current.reference] = current.model_copy(
            update={"status": ReservationStatus.CANCELLED, "cancelled_at": now}
        )
        return Cancellation(
            reference=current.reference,
            status=ReservationStatus.CANCELLED,
            cancelled_at=now,
            fee=Decimal("0.00"),
            refund=current.total,
            currency=current.currency,
        )

    async def room_types(self) -> list[RoomType]:
        self._call("room_types")
        return [
            RoomType(code=code, name=name, max_adults=guests, max_occupancy=guests)
            for code, (name, _, guests) in ROOM_TYPES.items()
        ]

    async def list_services(self) -> ServiceCatalogue:
        self._call("list_services")
        return ServiceCatalogue(
            property_id=PROPERTY_ID, currency="EUR", services=[], room_service_menu=[]
        )

    async def request_service(
        self, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        self._call("request_service")
        if request.reservation_reference:
            self._authorised(request.reservation_reference)
        self.service_requests.append(request)
        now = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.UTC)
        return ServiceRequest(
            id=f"SR{len(self.service_requests)}",
            property_id=PROPERTY_ID,
            kind=request.kind,
            status=ServiceRequestStatus.OPEN,
            reservation_reference=request.reservation_reference,
            room_number=request.room_number,
            service_code=request.service_code,
            currency="EUR",
            scheduled_for=request.scheduled_for,
            notes=request.notes,
            created_at=now,
            updated_at=now,
        )

    def verified_references(self) -> frozenset[str]:
        return frozenset(self.verified)

    def _authorised(self, reference: str) -> Reservation:
        found = self.reservations.get(reference.strip().upper())
        if found is None:
            raise Forbidden("reservation not available to this guest")
        if found.guest.phone != e164(self.phone) and found.reference not in self.verified:
            raise Forbidden("reservation not available to this guest")
        return found


def _policy(rate: str) -> CancellationPolicy:
    return FLEX_POLICY if RATE_PLANS[rate][2] else NRF_POLICY


def _offer(room: str, rate: str, check_in: dt.date, nights: int, rooms: int) -> Offer:
    price = nightly(room, rate) * rooms
    night_prices = [
        NightPrice(date=check_in + dt.timedelta(days=i), amount=price) for i in range(nights)
    ]
    total = price * nights
    return Offer(
        room_type_code=room,
        room_type_name=ROOM_TYPES[room][0],
        rate_plan_code=rate,
        rate_plan_name=RATE_PLANS[rate][0],
        available_rooms=5,
        breakfast_included=RATE_PLANS[rate][3],
        refundable=RATE_PLANS[rate][2],
        nights=night_prices,
        subtotal=total,
        total=total,
        currency="EUR",
    )


def _reservation(
    reference: str, request: ReservationCreate, guest: Guest, offer: Offer
) -> Reservation:
    now = dt.datetime(2027, 3, 4, 9, 30, tzinfo=dt.UTC)
    return Reservation(
        reference=reference,
        property_id=PROPERTY_ID,
        status=ReservationStatus.CONFIRMED,
        check_in=request.check_in,
        check_out=request.check_out,
        occupancy=request.occupancy,
        room_type_code=request.room_type_code,
        rate_plan_code=request.rate_plan_code,
        guest=guest,
        nights=offer.nights,
        subtotal=offer.subtotal,
        total=offer.total,
        currency="EUR",
        cancellation_policy=_policy(request.rate_plan_code),
        free_cancellation_until=None,
        created_at=now,
        updated_at=now,
    )
