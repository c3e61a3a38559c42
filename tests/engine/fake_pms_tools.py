"""`engine.tools.Tools` over an in-memory hotel, for flow tests without a PMS process.

It keeps the rules the real tools promise: a guest sees only reservations tied to their number
or proven with reference + surname; change/cancel/service requests on anything else raise
`Forbidden`; writes are idempotent by key; `down = True` makes every PMS call raise
`PmsUnavailable`. Prices: 90.00 a night for one adult plus 20.00 per extra adult, per room.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hotelbot.engine.tools import HandoffReason, same_name
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import PmsUnavailable
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    CancellationPolicy,
    Guest,
    MenuItem,
    NightPrice,
    Occupancy,
    PricedLine,
    PriceUnit,
    Quote,
    QuoteRequest,
    Reservation,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
    RoomType,
    Service,
    ServiceCatalogue,
    ServiceCategory,
    ServiceRequest,
    ServiceRequestCreate,
    ServiceRequestKind,
    ServiceRequestStatus,
)

PROPERTY_ID = uuid.UUID("6f1c0000-0000-4000-8000-00000000beef")
TIMEZONE = "Europe/Lisbon"
CHECK_IN_TIME = time(15, 0)
FLEXIBLE = CancellationPolicy(
    refundable=True, deadline_days_before=2, fee_nights=1, description="Free until 2 days before"
)
NON_REFUNDABLE = CancellationPolicy(refundable=False, fee_percent=100, description="Prepaid")

#: The hotel's room types; its bookings are all "DBL".
ROOM_TYPES = [
    RoomType(code="DBL", name="Double Room Garden", max_adults=2, max_occupancy=3),
    RoomType(code="STE", name="Ocean Suite", max_adults=3, max_occupancy=4),
]

CATALOGUE = ServiceCatalogue(
    property_id=PROPERTY_ID,
    currency="EUR",
    services=[
        Service(
            code="LCO-14",
            category=ServiceCategory.LATE_CHECKOUT,
            name="Late check-out until 14:00",
            price=Decimal("35.00"),
            unit=PriceUnit.PER_STAY,
            currency="EUR",
        ),
        Service(
            code="TRF-APT",
            category=ServiceCategory.AIRPORT_TRANSFER,
            name="Airport transfer",
            price=Decimal("48.00"),
            unit=PriceUnit.PER_TRIP,
            currency="EUR",
        ),
    ],
    room_service_menu=[
        MenuItem(
            code="RS-SOUP",
            section="Starters",
            name="Tomato soup",
            price=Decimal("7.50"),
            currency="EUR",
        ),
        MenuItem(
            code="RS-BURGER",
            section="Mains",
            name="Harbour burger",
            price=Decimal("16.00"),
            currency="EUR",
        ),
        MenuItem(
            code="RS-TART",
            section="Desserts",
            name="Custard tart",
            price=Decimal("3.20"),
            currency="EUR",
        ),
    ],
)


def nightly(occupancy: Occupancy) -> Decimal:
    return (Decimal("90.00") + Decimal("20.00") * (occupancy.adults - 1)) * occupancy.rooms


@dataclass
class FakePmsTools:
    """The Tools for one guest (`phone`, E.164) in one conversation; `now` is the PMS clock."""

    phone: str = "+351910000001"
    now: datetime = datetime(2027, 3, 4, 9, 30, tzinfo=UTC)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    catalogue: ServiceCatalogue = CATALOGUE
    rooms: list[RoomType] = field(default_factory=lambda: list(ROOM_TYPES))
    requests: list[ServiceRequest] = field(default_factory=list)
    handoffs: list[HandoffReason] = field(default_factory=list)
    opt_outs: list[bool] = field(default_factory=list)
    verified: set[str] = field(default_factory=set)
    down: bool = False
    #: Service request ids shaped like the built-in PMS's (UUIDs) instead of "SR-101".
    uuid_request_ids: bool = False
    calls: list[str] = field(default_factory=list)
    _keys: dict[str, ServiceRequest] = field(default_factory=dict)

    # ---- test set-up ----------------------------------------------------------------------

    def add(
        self,
        reference: str,
        *,
        last_name: str,
        phone: str | None = None,
        check_in: date,
        nights: int = 3,
        adults: int = 2,
        policy: CancellationPolicy = FLEXIBLE,
    ) -> Reservation:
        occupancy = Occupancy(adults=adults)
        guest = Guest(
            id=f"g-{reference}", first_name="Test", last_name=last_name, phone=phone or self.phone
        )
        reservation = self._priced(
            reference, check_in, check_in + timedelta(days=nights), occupancy, guest, policy
        )
        self.reservations[reference] = reservation
        return reservation

    def _priced(
        self,
        reference: str,
        check_in: date,
        check_out: date,
        occupancy: Occupancy,
        guest: Guest,
        policy: CancellationPolicy,
    ) -> Reservation:
        nights = [
            NightPrice(date=check_in + timedelta(days=i), amount=nightly(occupancy))
            for i in range((check_out - check_in).days)
        ]
        total = sum((n.amount for n in nights), Decimal(0))
        return Reservation(
            reference=reference,
            property_id=PROPERTY_ID,
            status=ReservationStatus.CONFIRMED,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            room_type_code="DBL",
            rate_plan_code="FLEX" if policy.refundable else "NREF",
            guest=guest,
            nights=nights,
            subtotal=total,
            total=total,
            currency="EUR",
            cancellation_policy=policy,
            free_cancellation_until=self._deadline(policy, check_in),
            created_at=self.now,
            updated_at=self.now,
        )

    @staticmethod
    def _deadline(policy: CancellationPolicy, check_in: date) -> datetime | None:
        if not policy.refundable or policy.deadline_days_before is None:
            return None
        local = datetime.combine(
            check_in - timedelta(days=policy.deadline_days_before),
            CHECK_IN_TIME,
            tzinfo=ZoneInfo(TIMEZONE),
        )
        return local.astimezone(UTC)

    def _pms(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise PmsUnavailable("PMS unreachable")

    def _authorise(self, reference: str) -> Reservation:
        reservation = self.reservations.get(reference.upper())
        if reservation is None:
            raise Forbidden("reservation not available to this guest")
        if reservation.guest.phone != self.phone and reference.upper() not in self.verified:
            raise Forbidden("reservation not available to this guest")
        return reservation

    # ---- Tools ----------------------------------------------------------------------------

    async def request_handoff(self, reason: HandoffReason) -> None:
        self.handoffs.append(reason)

    async def record_opt_out(self, opted_out: bool) -> None:
        self.opt_outs.append(opted_out)

    async def check_availability(
        self, *, check_in: date, check_out: date, occupancy: Occupancy
    ) -> Availability:
        raise NotImplementedError

    async def quote(self, request: QuoteRequest) -> Quote:
        self._pms("quote")
        policy = FLEXIBLE if request.rate_plan_code == "FLEX" else NON_REFUNDABLE
        nights = [NightPrice(date=d, amount=nightly(request.occupancy)) for d in request.dates()]
        total = sum((n.amount for n in nights), Decimal(0))
        return Quote(
            id=f"q-{len(self.calls)}",
            property_id=PROPERTY_ID,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=request.room_type_code,
            rate_plan_code=request.rate_plan_code,
            nights=nights,
            subtotal=total,
            total=total,
            currency="EUR",
            cancellation_policy=policy,
            free_cancellation_until=self._deadline(policy, request.check_in),
            expires_at=self.now + timedelta(minutes=30),
        )

    async def create_booking(
        self, request: ReservationCreate, *, idempotency_key: str
    ) -> Reservation:
        raise NotImplementedError

    async def my_bookings(self) -> list[Reservation]:
        self._pms("my_bookings")
        return [r for r in self.reservations.values() if r.guest.phone == self.phone]

    async def find_booking(self, reference: str, last_name: str) -> Reservation | None:
        self._pms("find_booking")
        reservation = self.reservations.get(reference.strip().upper())
        if reservation is None or not same_name(reservation.guest.last_name, last_name):
            return None
        self.verified.add(reservation.reference)
        return reservation

    async def change_booking(self, reference: str, change: ReservationChange) -> Reservation:
        self._pms("change_booking")
        current = self._authorise(reference)
        changed = self._priced(
            current.reference,
            change.check_in or current.check_in,
            change.check_out or current.check_out,
            change.occupancy or current.occupancy,
            current.guest,
            current.cancellation_policy,
        )
        self.reservations[current.reference] = changed
        return changed

    async def cancel_booking(self, reference: str) -> Cancellation:
        self._pms("cancel_booking")
        current = self._authorise(reference)
        policy = current.cancellation_policy
        deadline = current.free_cancellation_until
        if policy.refundable and (deadline is None or self.now < deadline):
            fee = Decimal("0.00")
        elif policy.fee_nights:
            fee = sum((n.amount for n in current.nights[: policy.fee_nights]), Decimal(0))
        else:
            fee = current.total * policy.fee_percent / 100
        self.reservations[current.reference] = current.model_copy(
            update={"status": ReservationStatus.CANCELLED, "cancellation_fee": fee}
        )
        return Cancellation(
            reference=current.reference,
            status=ReservationStatus.CANCELLED,
            cancelled_at=self.now,
            fee=fee,
            refund=current.total - fee,
            currency=current.currency,
        )

    async def room_types(self) -> list[RoomType]:
        self._pms("room_types")
        return list(self.rooms)

    async def list_services(self) -> ServiceCatalogue:
        self._pms("list_services")
        return self.catalogue

    async def request_service(
        self, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        self._pms("request_service")
        if idempotency_key in self._keys:
            return self._keys[idempotency_key]
        if request.reservation_reference:
            self._authorise(request.reservation_reference)
        lines, total = self._lines(request)
        created = ServiceRequest(
            id=(str(uuid.uuid4()) if self.uuid_request_ids else f"SR-{len(self.requests) + 101}"),
            property_id=PROPERTY_ID,
            kind=request.kind,
            status=ServiceRequestStatus.OPEN,
            reservation_reference=request.reservation_reference,
            room_number=request.room_number,
            service_code=request.service_code,
            lines=lines,
            total=total,
            currency="EUR",
            scheduled_for=request.scheduled_for,
            notes=request.notes,
            created_at=self.now,
            updated_at=self.now,
        )
        self.requests.append(created)
        self._keys[idempotency_key] = created
        return created

    def _lines(self, request: ServiceRequestCreate) -> tuple[list[PricedLine], Decimal | None]:
        if request.kind is ServiceRequestKind.SERVICE:
            service = next(s for s in self.catalogue.services if s.code == request.service_code)
            line = PricedLine(
                code=service.code,
                name=service.name,
                quantity=1,
                unit_price=service.price,
                amount=service.price,
            )
            return [line], service.price
        if request.kind is ServiceRequestKind.ROOM_SERVICE:
            menu = {m.code: m for m in self.catalogue.room_service_menu}
            lines = [
                PricedLine(
                    code=o.code,
                    name=menu[o.code].name,
                    quantity=o.quantity,
                    unit_price=menu[o.code].price,
                    amount=menu[o.code].price * o.quantity,
                )
                for o in request.items
            ]
            return lines, sum((line.amount for line in lines), Decimal(0))
        return [], None

    def verified_references(self) -> frozenset[str]:
        return frozenset(self.verified)
