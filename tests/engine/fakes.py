"""Fake `Tools` for engine tests: an in-memory PMS with the same rights rules as the real tools.

A guest sees only reservations tied to their number or proven with reference + surname; change,
cancel and service requests on anything else raise `Forbidden`; writes are idempotent by key.
`FakeTools` records every call (handoffs, opt-outs, PMS writes) so tests assert on what the
engine did, not on how.

Prices come from a `Tariff`. `RATE_CARD` (the default, for booking tests) prices per room: a
double at 120.00 a night times the rate plan's factor. `HOUSE` (for manage and service tests,
see `house_tools`) prices 90.00 a night for one adult plus 20.00 per extra adult, per room, and
gives refundable bookings a free-cancellation deadline in the hotel's time zone.

Failure switches: `fail_with` makes the next PMS call raise (e.g. `PmsUnavailable()`), `down`
makes every PMS call raise `PmsUnavailable`, `sold_out` makes room types unavailable at booking
time and `price_bump` makes the next create see a new price.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hotelbot.engine.tools import HandoffReason, e164, same_name
from hotelbot.errors import Forbidden
from hotelbot.pms.errors import InvalidRequest, PmsUnavailable, RateChanged, RoomUnavailable
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    CancellationPolicy,
    Guest,
    MenuItem,
    NightPrice,
    Occupancy,
    Offer,
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
GUEST_PHONE = "+351910000001"
TIMEZONE = "Europe/Lisbon"
CHECK_IN_TIME = time(15, 0)
NOW = datetime(2027, 3, 4, 9, 30, tzinfo=UTC)

FLEXIBLE = CancellationPolicy(
    refundable=True, deadline_days_before=2, fee_nights=1, description="Free until 2 days before"
)
NON_REFUNDABLE = CancellationPolicy(refundable=False, fee_percent=100, description="Prepaid")
FLEX_POLICY = CancellationPolicy(refundable=True, deadline_days_before=2, fee_nights=1)
NRF_POLICY = CancellationPolicy(refundable=False, fee_percent=100)


@dataclass(frozen=True)
class RoomRate:
    """A room type and its nightly price for one adult, plus what each extra adult adds."""

    room: RoomType
    nightly: Decimal
    extra_adult: Decimal = Decimal(0)


@dataclass(frozen=True)
class RatePlan:
    name: str
    factor: Decimal
    policy: CancellationPolicy
    breakfast: bool


@dataclass(frozen=True)
class Tariff:
    """What the hotel sells and for how much; `deadlines` turns on free-cancellation deadlines."""

    rooms: dict[str, RoomRate]
    plans: dict[str, RatePlan]
    deadlines: bool = False


def _room(code: str, name: str, adults: int, occupancy: int) -> RoomType:
    return RoomType(code=code, name=name, max_adults=adults, max_occupancy=occupancy)


RATE_CARD = Tariff(
    rooms={
        "DBL": RoomRate(_room("DBL", "Double Room", 2, 2), Decimal("120.00")),
        "TWN": RoomRate(_room("TWN", "Twin Room", 2, 2), Decimal("110.00")),
        "FAM": RoomRate(_room("FAM", "Family Room", 4, 4), Decimal("180.00")),
        "STE": RoomRate(_room("STE", "Sea View Suite", 3, 3), Decimal("260.00")),
    },
    plans={
        "FLEX": RatePlan("Flexible + breakfast", Decimal("1.15"), FLEX_POLICY, True),
        "NRF": RatePlan("Non-refundable", Decimal("0.90"), NRF_POLICY, False),
    },
)
#: The hotel of the manage and service tests; its bookings are all "DBL".
HOUSE = Tariff(
    rooms={
        "DBL": RoomRate(_room("DBL", "Double Room Garden", 2, 3), Decimal("90.00"), Decimal("20")),
        "STE": RoomRate(_room("STE", "Ocean Suite", 3, 4), Decimal("150.00"), Decimal("20")),
    },
    plans={
        "FLEX": RatePlan("Flexible", Decimal("1"), FLEXIBLE, True),
        "NREF": RatePlan("Non-refundable", Decimal("1"), NON_REFUNDABLE, False),
    },
    deadlines=True,
)

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
EMPTY_CATALOGUE = ServiceCatalogue(
    property_id=PROPERTY_ID, currency="EUR", services=[], room_service_menu=[]
)


@dataclass
class FakeTools:
    """The Tools for one guest (`phone`, E.164) in one conversation; `now` is the PMS clock."""

    phone: str = GUEST_PHONE
    now: datetime = NOW
    tariff: Tariff = RATE_CARD
    reservations: dict[str, Reservation] = field(default_factory=dict)
    catalogue: ServiceCatalogue = EMPTY_CATALOGUE
    #: What `room_types()` answers; the tariff's room types unless given.
    rooms: list[RoomType] | None = None
    handoffs: list[HandoffReason] = field(default_factory=list)
    opt_outs: list[bool] = field(default_factory=list)
    created: list[ReservationCreate] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    #: Service requests as asked for, and as the PMS answered them.
    service_requests: list[ServiceRequestCreate] = field(default_factory=list)
    requests: list[ServiceRequest] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    verified: set[str] = field(default_factory=set)
    fail_with: Exception | None = None
    down: bool = False
    sold_out: set[str] = field(default_factory=set)
    price_bump: Decimal = Decimal("0")
    #: Service request ids shaped like the built-in PMS's (UUIDs) instead of "SR-101".
    uuid_request_ids: bool = False
    #: The PMS takes a booking only with the guest's e-mail (as Cloudbeds does).
    email_required: bool = False
    _service_keys: dict[str, ServiceRequest] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rooms is None:
            self.rooms = [rate.room for rate in self.tariff.rooms.values()]

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
        """An existing "DBL" booking, priced by the tariff."""
        occupancy = Occupancy(adults=adults)
        guest = Guest(
            id=f"g-{reference}", first_name="Test", last_name=last_name, phone=phone or self.phone
        )
        reservation = self._priced(
            reference, check_in, check_in + timedelta(days=nights), occupancy, guest, policy
        )
        self.reservations[reference] = reservation
        return reservation

    # ---- prices ---------------------------------------------------------------------------

    def nightly(self, room: str, plan: str, occupancy: Occupancy) -> Decimal:
        rate = self.tariff.rooms[room]
        factor = self.tariff.plans[plan].factor if plan in self.tariff.plans else Decimal(1)
        per_room = (rate.nightly + rate.extra_adult * (occupancy.adults - 1)) * factor
        return per_room.quantize(Decimal("0.01")) * occupancy.rooms

    def _night_prices(
        self, room: str, plan: str, check_in: date, check_out: date, occupancy: Occupancy
    ) -> list[NightPrice]:
        price = self.nightly(room, plan, occupancy)
        days = (check_out - check_in).days
        return [NightPrice(date=check_in + timedelta(days=i), amount=price) for i in range(days)]

    def _plan_for(self, policy: CancellationPolicy) -> str:
        found = (
            c for c, p in self.tariff.plans.items() if p.policy.refundable == policy.refundable
        )
        return next(found, "FLEX" if policy.refundable else "NREF")

    def _policy(self, plan: str) -> CancellationPolicy:
        return self.tariff.plans[plan].policy

    def _priced(
        self,
        reference: str,
        check_in: date,
        check_out: date,
        occupancy: Occupancy,
        guest: Guest,
        policy: CancellationPolicy,
        *,
        room: str = "DBL",
        plan: str | None = None,
    ) -> Reservation:
        plan = plan or self._plan_for(policy)
        nights = self._night_prices(room, plan, check_in, check_out, occupancy)
        total = sum((n.amount for n in nights), Decimal(0))
        return Reservation(
            reference=reference,
            property_id=PROPERTY_ID,
            status=ReservationStatus.CONFIRMED,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            room_type_code=room,
            rate_plan_code=plan,
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

    def _deadline(self, policy: CancellationPolicy, check_in: date) -> datetime | None:
        if not self.tariff.deadlines:
            return None
        if not policy.refundable or policy.deadline_days_before is None:
            return None
        local = datetime.combine(
            check_in - timedelta(days=policy.deadline_days_before),
            CHECK_IN_TIME,
            tzinfo=ZoneInfo(TIMEZONE),
        )
        return local.astimezone(UTC)

    def _offer(
        self, room: str, plan: str, check_in: date, check_out: date, occupancy: Occupancy
    ) -> Offer:
        nights = self._night_prices(room, plan, check_in, check_out, occupancy)
        total = sum((n.amount for n in nights), Decimal(0))
        rate_plan = self.tariff.plans[plan]
        return Offer(
            room_type_code=room,
            room_type_name=self.tariff.rooms[room].room.name,
            rate_plan_code=plan,
            rate_plan_name=rate_plan.name,
            available_rooms=5,
            breakfast_included=rate_plan.breakfast,
            refundable=rate_plan.policy.refundable,
            nights=nights,
            subtotal=total,
            total=total,
            currency="EUR",
        )

    # ---- rights and failures --------------------------------------------------------------

    def _pms(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise PmsUnavailable("PMS unreachable")
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error

    def _authorise(self, reference: str) -> Reservation:
        found = self.reservations.get(reference.strip().upper())
        if found is None:
            raise Forbidden("reservation not available to this guest")
        if found.guest.phone != e164(self.phone) and found.reference not in self.verified:
            raise Forbidden("reservation not available to this guest")
        return found

    # ---- Tools ----------------------------------------------------------------------------

    async def request_handoff(self, reason: HandoffReason) -> None:
        self.handoffs.append(reason)

    async def record_opt_out(self, opted_out: bool) -> None:
        self.opt_outs.append(opted_out)

    async def check_availability(
        self, *, check_in: date, check_out: date, occupancy: Occupancy
    ) -> Availability:
        self._pms("check_availability")
        offers = [
            self._offer(room, plan, check_in, check_out, occupancy)
            for room, rate in self.tariff.rooms.items()
            for plan in self.tariff.plans
            if occupancy.guests <= rate.room.max_occupancy * occupancy.rooms
            and room not in self.sold_out
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
        self._pms("quote")
        room, plan = request.room_type_code, request.rate_plan_code
        policy = self._policy(plan)
        nights = self._night_prices(
            room, plan, request.check_in, request.check_out, request.occupancy
        )
        total = sum((n.amount for n in nights), Decimal(0))
        return Quote(
            id=f"q-{len(self.calls)}",
            property_id=PROPERTY_ID,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=room,
            rate_plan_code=plan,
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
        self._pms("create_booking")
        if idempotency_key in self.keys:
            return self.reservations[self.keys[idempotency_key]]
        if request.room_type_code in self.sold_out:
            raise RoomUnavailable("room type sold out")
        if self.email_required and not request.guest.email:
            raise InvalidRequest("this property needs the guest's e-mail address to book")
        room, plan = request.room_type_code, request.rate_plan_code
        nights = self._night_prices(
            room, plan, request.check_in, request.check_out, request.occupancy
        )
        total = sum((n.amount for n in nights), Decimal(0)) + self.price_bump
        if request.expected_total is not None and request.expected_total != total:
            self.price_bump = Decimal("0")
            raise RateChanged("price changed")
        guest = Guest(**request.guest.model_dump(), id="G1")
        guest = guest.model_copy(update={"phone": e164(self.phone)})
        reference = f"HB{len(self.reservations) + 1:04d}X"
        reservation = self._priced(
            reference,
            request.check_in,
            request.check_out,
            request.occupancy,
            guest,
            self._policy(plan),
            room=room,
            plan=plan,
        )
        self.reservations[reference] = reservation
        self.keys[idempotency_key] = reference
        self.created.append(request)
        return reservation

    async def my_bookings(self) -> list[Reservation]:
        self._pms("my_bookings")
        return [r for r in self.reservations.values() if r.guest.phone == e164(self.phone)]

    async def find_booking(self, reference: str, last_name: str) -> Reservation | None:
        self._pms("find_booking")
        found = self.reservations.get(reference.strip().upper())
        if found is None or not same_name(found.guest.last_name, last_name):
            return None
        self.verified.add(found.reference)
        return found

    async def change_booking(self, reference: str, change: ReservationChange) -> Reservation:
        """Re-prices the stay with the new dates or party, same room and rate plan."""
        self._pms("change_booking")
        current = self._authorise(reference)
        changed = self._priced(
            current.reference,
            change.check_in or current.check_in,
            change.check_out or current.check_out,
            change.occupancy or current.occupancy,
            current.guest,
            current.cancellation_policy,
            room=current.room_type_code,
            plan=current.rate_plan_code,
        )
        self.reservations[current.reference] = changed
        return changed

    async def cancel_booking(self, reference: str) -> Cancellation:
        """Charges the policy's fee once the free-cancellation deadline (if any) has passed."""
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
            update={
                "status": ReservationStatus.CANCELLED,
                "cancelled_at": self.now,
                "cancellation_fee": fee,
            }
        )
        return Cancellation(
            reference=current.reference,
            status=ReservationStatus.CANCELLED,
            cancelled_at=self.now,
            fee=fee,
            refund=current.total - fee,
            currency=current.currency,
        )

    async def booking_needs_email(self) -> bool:
        self._pms("booking_needs_email")
        return self.email_required

    async def room_types(self) -> list[RoomType]:
        self._pms("room_types")
        return list(self.rooms or ())

    async def list_services(self) -> ServiceCatalogue:
        self._pms("list_services")
        return self.catalogue

    async def request_service(
        self, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        self._pms("request_service")
        if idempotency_key in self._service_keys:
            return self._service_keys[idempotency_key]
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
        self.service_requests.append(request)
        self.requests.append(created)
        self._service_keys[idempotency_key] = created
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


def house_tools(
    *, catalogue: ServiceCatalogue = CATALOGUE, uuid_request_ids: bool = False
) -> FakeTools:
    """`FakeTools` for the manage and service tests: the `HOUSE` tariff and its catalogue."""
    return FakeTools(tariff=HOUSE, catalogue=catalogue, uuid_request_ids=uuid_request_ids)
