"""`BuiltinAdapter`: the PMS on our own tables (`models.py`).

Each method is one unit of work on the adapter's own sessionmaker (the built-in PMS is a
store of its own, like a vendor's API, so it commits). No overbooking: a booking takes every
night with one conditional `UPDATE pms_inventory SET sold = sold + n WHERE ... AND
sold + n <= total` and gives up unless every night matched; Postgres re-checks the condition
after the row lock, SQLite serialises writers (BEGIN IMMEDIATE). Idempotency keys are a
primary key inserted first in the same transaction, so a concurrent duplicate waits and fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.db import session_scope
from hotelbot.pms import errors
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters.builtin import pricing, reservations
from hotelbot.pms.adapters.builtin import services as services_store
from hotelbot.pms.adapters.builtin.models import (
    PmsIdempotencyKey,
    PmsInventory,
    PmsPrice,
    PmsProperty,
    PmsRatePlan,
    PmsRoomType,
)
from hotelbot.pms.adapters.builtin.pricing import Priced, to_money
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    GuestContact,
    NightPrice,
    Occupancy,
    Offer,
    Property,
    Quote,
    QuoteRequest,
    RatePlan,
    Reservation,
    ReservationChange,
    ReservationCreate,
    RoomType,
    ServiceCatalogue,
    ServiceRequest,
    ServiceRequestCreate,
)

QUOTE_TTL = dt.timedelta(minutes=15)
_REF_ALPHABET = "ACDEFHJKLMNPRTUVWXY3479"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BuiltinAdapter:
    name = "builtin"

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock

    async def aclose(self) -> None:
        return None

    # ---- description ---------------------------------------------------------------------

    async def list_room_types(self, property: Property) -> list[RoomType]:
        async with session_scope(self._sessionmaker) as session:
            return [room_type_out(rt) for rt in await _room_types(session, property.id)]

    async def list_rate_plans(self, property: Property) -> list[RatePlan]:
        async with session_scope(self._sessionmaker) as session:
            return [rate_plan_out(rp) for rp in await _rate_plans(session, property.id)]

    async def list_services(self, property: Property) -> ServiceCatalogue:
        async with session_scope(self._sessionmaker) as session:
            return await services_store.catalogue(session, property)

    # ---- availability and quotes ---------------------------------------------------------

    async def availability(
        self, property: Property, check_in: dt.date, check_out: dt.date, occupancy: Occupancy
    ) -> Availability:
        async with session_scope(self._sessionmaker) as session:
            row = await _property_row(session, property.id)
            self._check_dates(property, check_in)
            priced = await price_stay(session, row, check_in, check_out, occupancy)
        offers = [offer_out(p, property.currency) for p in priced if p.available >= occupancy.rooms]
        offers.sort(key=lambda o: (o.total, o.room_type_code, o.rate_plan_code))
        return Availability(
            property_id=property.id,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            currency=property.currency,
            offers=offers,
        )

    async def quote(self, property: Property, request: QuoteRequest) -> Quote:
        async with session_scope(self._sessionmaker) as session:
            row = await _property_row(session, property.id)
            self._check_dates(property, request.check_in)
            priced = await price_one(session, row, request)
        if priced.available < request.occupancy.rooms:
            raise errors.RoomUnavailable("no room of this type is free for every night")
        policy = rate_plan_out(priced.rate_plan).cancellation_policy
        now = self._clock()
        return Quote(
            id=_quote_id(property, request, priced.total_cents),
            property_id=property.id,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=request.room_type_code,
            rate_plan_code=request.rate_plan_code,
            nights=nights_out(request.check_in, priced.night_cents),
            subtotal=to_money(priced.subtotal_cents),
            taxes=priced.taxes,
            total=to_money(priced.total_cents),
            currency=property.currency,
            cancellation_policy=policy,
            free_cancellation_until=cancellation_policy.property_deadline(
                property, policy, request.check_in
            ),
            expires_at=now + QUOTE_TTL,
        )

    # ---- reservations ----------------------------------------------------------------------

    async def create_reservation(
        self, property: Property, request: ReservationCreate, *, idempotency_key: str
    ) -> Reservation:
        digest = _request_hash(request.model_dump_json())
        try:
            async with session_scope(self._sessionmaker) as session:
                done = await _claim_key(
                    session, property.id, idempotency_key, "reservation.create", digest
                )
                if done is not None:
                    return await reservations.get(session, property, done, now=self._clock())
                self._check_dates(property, request.check_in)
                row = await _property_row(session, property.id)
                priced = await price_one(session, row, request)
                _check_expected(request.expected_total, priced.total_cents)
                await take_inventory(session, priced.room_type.id, request, request.occupancy.rooms)
                reference = _new_reference(property)
                await reservations.insert(
                    session, property, request, priced, reference=reference, now=self._clock()
                )
                await _finish_key(session, property.id, idempotency_key, reference)
                return await reservations.get(session, property, reference, now=self._clock())
        except IntegrityError:
            # A concurrent request with the same key won the race; answer with its result.
            async with session_scope(self._sessionmaker) as session:
                done = await _claim_key(
                    session, property.id, idempotency_key, "reservation.create", digest
                )
                if done is None:
                    raise
                return await reservations.get(session, property, done, now=self._clock())

    async def get_reservation(self, property: Property, reference: str) -> Reservation:
        async with session_scope(self._sessionmaker) as session:
            return await reservations.get(session, property, reference, now=self._clock())

    async def list_reservations(
        self, property: Property, contact: GuestContact
    ) -> list[Reservation]:
        async with session_scope(self._sessionmaker) as session:
            return await reservations.list_by_contact(session, property, contact)

    async def modify_reservation(
        self, property: Property, reference: str, change: ReservationChange
    ) -> Reservation:
        async with session_scope(self._sessionmaker) as session:
            now = self._clock()
            current = await reservations.lock(session, property.id, reference)
            reservations.check_modifiable(current, pricing.local_today(now, property.timezone))
            stay = reservations.changed_stay(current, change)
            if stay.check_in != current.check_in:
                self._check_dates(property, stay.check_in)
            row = await _property_row(session, property.id)
            request = QuoteRequest(
                check_in=stay.check_in,
                check_out=stay.check_out,
                occupancy=stay.occupancy,
                room_type_code=await reservations.room_type_code(session, current),
                rate_plan_code=await reservations.rate_plan_code(session, current),
            )
            await release_inventory(session, current.room_type_id, current, current.rooms)
            priced = await price_one(session, row, request)
            _check_expected(change.expected_total, priced.total_cents)
            await take_inventory(session, current.room_type_id, request, stay.occupancy.rooms)
            await reservations.apply_change(session, current, request, priced, now=now)
            return await reservations.get(session, property, reference, now=now)

    async def cancel_reservation(self, property: Property, reference: str) -> Cancellation:
        async with session_scope(self._sessionmaker) as session:
            now = self._clock()
            current = await reservations.lock(session, property.id, reference)
            if current.cancelled_at is None:
                reservations.check_modifiable(current, pricing.local_today(now, property.timezone))
                await release_inventory(session, current.room_type_id, current, current.rooms)
                await reservations.cancel(session, property, current, now=now)
            return reservations.cancellation_out(current)

    # ---- service requests -----------------------------------------------------------------

    async def create_service_request(
        self, property: Property, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        digest = _request_hash(request.model_dump_json())
        async with session_scope(self._sessionmaker) as session:
            done = await _claim_key(
                session, property.id, idempotency_key, "service_request", digest
            )
            if done is not None:
                return await services_store.get_request(session, property, done)
            created = await services_store.create_request(
                session, property, request, now=self._clock()
            )
            await _finish_key(session, property.id, idempotency_key, created.id)
            return created

    async def get_service_request(self, property: Property, request_id: str) -> ServiceRequest:
        async with session_scope(self._sessionmaker) as session:
            return await services_store.get_request(session, property, request_id)

    def _check_dates(self, property: Property, check_in: dt.date) -> None:
        if check_in < pricing.local_today(self._clock(), property.timezone):
            raise errors.InvalidRequest("check_in is in the past for the property")


# ---- pricing queries ---------------------------------------------------------------------


async def price_stay(
    session: AsyncSession,
    row: PmsProperty,
    check_in: dt.date,
    check_out: dt.date,
    occupancy: Occupancy,
    *,
    room_type_code: str | None = None,
    rate_plan_code: str | None = None,
) -> list[Priced]:
    """Every (room type, rate plan) that fits the party and has a price for each night."""
    nights = (check_out - check_in).days
    room_types = [
        rt
        for rt in await _room_types(session, row.id)
        if (room_type_code is None or rt.code == room_type_code)
        and pricing.fits(
            occupancy,
            max_adults=rt.max_adults,
            max_children=rt.max_children,
            max_occupancy=rt.max_occupancy,
        )
    ]
    plans = [
        rp
        for rp in await _rate_plans(session, row.id)
        if rate_plan_code is None or rp.code == rate_plan_code
    ]
    if not room_types or not plans:
        return []
    free = await _free_rooms(session, [rt.id for rt in room_types], check_in, check_out, nights)
    prices = await _prices(session, [rt.id for rt in room_types], check_in, check_out)
    out: list[Priced] = []
    for rt in room_types:
        for rp in plans:
            by_date = prices.get((rp.id, rt.id), {})
            if len(by_date) != nights:
                continue
            night_cents = [by_date[d] * occupancy.rooms for d in sorted(by_date)]
            subtotal = sum(night_cents)
            taxes, extra = pricing.taxes(
                row.tax_rules, subtotal_cents=subtotal, occupancy=occupancy, nights=nights
            )
            out.append(
                Priced(
                    rt, rp, check_in, night_cents, subtotal, subtotal + extra, taxes, free[rt.id]
                )
            )
    return out


async def price_one(session: AsyncSession, row: PmsProperty, request: QuoteRequest) -> Priced:
    """Price the requested offer or explain why it cannot exist."""
    await _require_codes(session, row.id, request.room_type_code, request.rate_plan_code)
    priced = await price_stay(
        session,
        row,
        request.check_in,
        request.check_out,
        request.occupancy,
        room_type_code=request.room_type_code,
        rate_plan_code=request.rate_plan_code,
    )
    if not priced:
        raise errors.RoomUnavailable("this room type and rate are not sold for this stay")
    return priced[0]


async def take_inventory(
    session: AsyncSession, room_type_id: int, stay: QuoteRequest, rooms: int
) -> None:
    """Take `rooms` for every night of the stay, or raise `RoomUnavailable` (nothing taken)."""
    result = await session.execute(
        update(PmsInventory)
        .where(
            PmsInventory.room_type_id == room_type_id,
            PmsInventory.date >= stay.check_in,
            PmsInventory.date < stay.check_out,
            PmsInventory.sold + rooms <= PmsInventory.total,
        )
        .values(sold=PmsInventory.sold + rooms)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != (stay.check_out - stay.check_in).days:  # type: ignore[attr-defined]
        # The caller's transaction rolls back, undoing the nights that were taken.
        raise errors.RoomUnavailable("no room of this type is free for every night")


async def release_inventory(
    session: AsyncSession, room_type_id: int, stay: reservations.HasStay, rooms: int
) -> None:
    await session.execute(
        update(PmsInventory)
        .where(
            PmsInventory.room_type_id == room_type_id,
            PmsInventory.date >= stay.check_in,
            PmsInventory.date < stay.check_out,
        )
        .values(sold=PmsInventory.sold - rooms)
        .execution_options(synchronize_session=False)
    )


async def _free_rooms(
    session: AsyncSession, ids: list[int], check_in: dt.date, check_out: dt.date, nights: int
) -> dict[int, int]:
    rows = await session.execute(
        select(PmsInventory.room_type_id, PmsInventory.total - PmsInventory.sold).where(
            PmsInventory.room_type_id.in_(ids),
            PmsInventory.date >= check_in,
            PmsInventory.date < check_out,
        )
    )
    free: dict[int, list[int]] = {i: [] for i in ids}
    for room_type_id, left in rows:
        free[room_type_id].append(left)
    # A night without an inventory row is not for sale.
    return {i: min(v) if len(v) == nights else 0 for i, v in free.items()}


async def _prices(
    session: AsyncSession, ids: list[int], check_in: dt.date, check_out: dt.date
) -> dict[tuple[int, int], dict[dt.date, int]]:
    rows = await session.execute(
        select(PmsPrice).where(
            and_(PmsPrice.room_type_id.in_(ids), PmsPrice.date >= check_in),
            PmsPrice.date < check_out,
        )
    )
    out: dict[tuple[int, int], dict[dt.date, int]] = {}
    for price in rows.scalars():
        out.setdefault((price.rate_plan_id, price.room_type_id), {})[price.date] = (
            price.amount_cents
        )
    return out


async def _require_codes(
    session: AsyncSession, property_id: uuid.UUID, room_type_code: str, rate_plan_code: str
) -> None:
    if room_type_code not in {rt.code for rt in await _room_types(session, property_id)}:
        raise errors.InvalidRequest("unknown room_type_code")
    if rate_plan_code not in {rp.code for rp in await _rate_plans(session, property_id)}:
        raise errors.InvalidRequest("unknown rate_plan_code")


async def _property_row(session: AsyncSession, property_id: uuid.UUID) -> PmsProperty:
    row = await session.get(PmsProperty, property_id)
    if row is None:
        raise errors.PropertyNotFound("property not found")
    return row


async def _room_types(session: AsyncSession, property_id: uuid.UUID) -> Sequence[PmsRoomType]:
    rows = await session.scalars(
        select(PmsRoomType)
        .where(PmsRoomType.property_id == property_id)
        .order_by(PmsRoomType.sort_order, PmsRoomType.code)
    )
    return rows.all()


async def _rate_plans(session: AsyncSession, property_id: uuid.UUID) -> Sequence[PmsRatePlan]:
    rows = await session.scalars(
        select(PmsRatePlan)
        .where(PmsRatePlan.property_id == property_id)
        .order_by(PmsRatePlan.sort_order, PmsRatePlan.code)
    )
    return rows.all()


# ---- idempotency -------------------------------------------------------------------------


async def _claim_key(
    session: AsyncSession, property_id: uuid.UUID, key: str, operation: str, digest: str
) -> str | None:
    """The earlier result for this key, or None after claiming it for this transaction."""
    existing = await session.get(PmsIdempotencyKey, (property_id, key))
    if existing is not None:
        if existing.operation != operation or existing.request_hash != digest:
            raise errors.IdempotencyConflict("idempotency key reused for a different request")
        return existing.result_ref
    session.add(
        PmsIdempotencyKey(
            property_id=property_id,
            key=key,
            operation=operation,
            request_hash=digest,
            result_ref="",
        )
    )
    await session.flush()
    return None


async def _finish_key(
    session: AsyncSession, property_id: uuid.UUID, key: str, result_ref: str
) -> None:
    row = await session.get(PmsIdempotencyKey, (property_id, key))
    assert row is not None
    row.result_ref = result_ref
    await session.flush()


def _request_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()


def _check_expected(expected: pricing.Decimal | None, total_cents: int) -> None:
    if expected is not None and pricing.to_cents(expected) != total_cents:
        raise errors.RateChanged("the current total differs from the expected total")


def _new_reference(property: Property) -> str:
    prefix = "".join(c for c in property.slug.upper() if c.isalpha())[:3] or "HTL"
    return prefix + "-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def _quote_id(property: Property, request: QuoteRequest, total_cents: int) -> str:
    payload = f"{property.id}|{request.model_dump_json()}|{total_cents}"
    return "q_" + hashlib.sha256(payload.encode()).hexdigest()[:24]


# ---- rows → contract ---------------------------------------------------------------------


def room_type_out(rt: PmsRoomType) -> RoomType:
    return RoomType.model_validate(
        {
            "code": rt.code,
            "name": rt.name,
            "description": rt.description,
            "max_adults": rt.max_adults,
            "max_children": rt.max_children,
            "max_occupancy": rt.max_occupancy,
            "beds": rt.beds,
            "size_m2": rt.size_m2,
            "amenities": rt.amenities,
            "photos": rt.photos,
        }
    )


def rate_plan_out(rp: PmsRatePlan) -> RatePlan:
    return RatePlan.model_validate(
        {
            "code": rp.code,
            "name": rp.name,
            "description": rp.description,
            "refundable": rp.refundable,
            "breakfast_included": rp.breakfast_included,
            "cancellation_policy": {
                "refundable": rp.refundable,
                "deadline_days_before": rp.deadline_days_before,
                "fee_nights": rp.fee_nights,
                "fee_percent": rp.fee_percent,
                "description": rp.policy_description,
            },
        }
    )


def nights_out(check_in: dt.date, night_cents: list[int]) -> list[NightPrice]:
    return [
        NightPrice(date=check_in + dt.timedelta(days=i), amount=to_money(c))
        for i, c in enumerate(night_cents)
    ]


def offer_out(p: Priced, currency: str) -> Offer:
    return Offer(
        room_type_code=p.room_type.code,
        room_type_name=p.room_type.name,
        rate_plan_code=p.rate_plan.code,
        rate_plan_name=p.rate_plan.name,
        available_rooms=p.available,
        breakfast_included=p.rate_plan.breakfast_included,
        refundable=p.rate_plan.refundable,
        nights=nights_out(p.check_in, p.night_cents),
        subtotal=to_money(p.subtotal_cents),
        taxes=p.taxes,
        total=to_money(p.total_cents),
        currency=currency,
    )
