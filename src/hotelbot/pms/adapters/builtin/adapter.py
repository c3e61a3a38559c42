"""`BuiltinAdapter`: the PMS on our own tables (`models.py`).

Each method is one unit of work on the adapter's own sessionmaker (the built-in PMS is a
store of its own, like a vendor's API, so it commits). No overbooking: a booking takes every
night with one conditional `UPDATE pms_inventory SET sold = sold + n WHERE ... AND
sold + n <= total` and gives up unless every night matched; Postgres re-checks the condition
after the row lock, SQLite serialises writers (BEGIN IMMEDIATE). Idempotency keys are a
primary key inserted first in the same transaction, so a concurrent duplicate waits and fails.

What it sells and the inventory queries are in `offers.py`, idempotency keys in
`idempotency.py`, reservation rows in `reservations.py` and services in `services.py`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import hotelbot.pms.schemas as pms
from hotelbot.kit.db import session_scope
from hotelbot.pms import errors
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters.builtin import pricing, reservations
from hotelbot.pms.adapters.builtin import services as services_store
from hotelbot.pms.adapters.builtin.idempotency import claim_key, finish_key, request_hash
from hotelbot.pms.adapters.builtin.offers import (
    nights_out,
    offer_out,
    price_one,
    price_stay,
    property_row,
    rate_plan_out,
    rate_plan_rows,
    release_inventory,
    room_type_out,
    room_type_rows,
    take_inventory,
)
from hotelbot.pms.adapters.builtin.pricing import to_money

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

    async def list_room_types(self, property: pms.Property) -> list[pms.RoomType]:
        async with session_scope(self._sessionmaker) as session:
            return [room_type_out(rt) for rt in await room_type_rows(session, property.id)]

    async def list_rate_plans(self, property: pms.Property) -> list[pms.RatePlan]:
        async with session_scope(self._sessionmaker) as session:
            return [rate_plan_out(rp) for rp in await rate_plan_rows(session, property.id)]

    async def list_services(self, property: pms.Property) -> pms.ServiceCatalogue:
        async with session_scope(self._sessionmaker) as session:
            return await services_store.catalogue(session, property)

    # ---- availability and quotes ---------------------------------------------------------

    async def availability(
        self,
        property: pms.Property,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy,
    ) -> pms.Availability:
        async with session_scope(self._sessionmaker) as session:
            row = await property_row(session, property.id)
            self._check_dates(property, check_in)
            priced = await price_stay(session, row, check_in, check_out, occupancy)
        offers = [offer_out(p, property.currency) for p in priced if p.available >= occupancy.rooms]
        offers.sort(key=lambda o: (o.total, o.room_type_code, o.rate_plan_code))
        return pms.Availability(
            property_id=property.id,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            currency=property.currency,
            offers=offers,
        )

    async def quote(self, property: pms.Property, request: pms.QuoteRequest) -> pms.Quote:
        async with session_scope(self._sessionmaker) as session:
            row = await property_row(session, property.id)
            self._check_dates(property, request.check_in)
            priced = await price_one(session, row, request)
        if priced.available < request.occupancy.rooms:
            raise errors.RoomUnavailable("no room of this type is free for every night")
        policy = rate_plan_out(priced.rate_plan).cancellation_policy
        now = self._clock()
        return pms.Quote(
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
        self, property: pms.Property, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        digest = request_hash(request.model_dump_json())
        try:
            async with session_scope(self._sessionmaker) as session:
                done = await claim_key(
                    session, property.id, idempotency_key, "reservation.create", digest
                )
                if done is not None:
                    return await reservations.get(session, property, done, now=self._clock())
                self._check_dates(property, request.check_in)
                row = await property_row(session, property.id)
                priced = await price_one(session, row, request)
                _check_expected(request.expected_total, priced.total_cents)
                await take_inventory(session, priced.room_type.id, request, request.occupancy.rooms)
                reference = _new_reference(property)
                await reservations.insert(
                    session, property, request, priced, reference=reference, now=self._clock()
                )
                await finish_key(session, property.id, idempotency_key, reference)
                return await reservations.get(session, property, reference, now=self._clock())
        except IntegrityError:
            # A concurrent request with the same key won the race; answer with its result.
            async with session_scope(self._sessionmaker) as session:
                done = await claim_key(
                    session, property.id, idempotency_key, "reservation.create", digest
                )
                if done is None:
                    raise
                return await reservations.get(session, property, done, now=self._clock())

    async def get_reservation(self, property: pms.Property, reference: str) -> pms.Reservation:
        async with session_scope(self._sessionmaker) as session:
            return await reservations.get(session, property, reference, now=self._clock())

    async def list_reservations(
        self, property: pms.Property, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        async with session_scope(self._sessionmaker) as session:
            return await reservations.list_by_contact(session, property, contact)

    async def modify_reservation(
        self, property: pms.Property, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        async with session_scope(self._sessionmaker) as session:
            now = self._clock()
            current = await reservations.lock(session, property.id, reference)
            reservations.check_modifiable(current, pricing.local_today(now, property.timezone))
            stay = reservations.changed_stay(current, change)
            if stay.check_in != current.check_in:
                self._check_dates(property, stay.check_in)
            row = await property_row(session, property.id)
            request = pms.QuoteRequest(
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

    async def cancel_reservation(self, property: pms.Property, reference: str) -> pms.Cancellation:
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
        self, property: pms.Property, request: pms.ServiceRequestCreate, *, idempotency_key: str
    ) -> pms.ServiceRequest:
        digest = request_hash(request.model_dump_json())
        async with session_scope(self._sessionmaker) as session:
            done = await claim_key(session, property.id, idempotency_key, "service_request", digest)
            if done is not None:
                return await services_store.get_request(session, property, done)
            created = await services_store.create_request(
                session, property, request, now=self._clock()
            )
            await finish_key(session, property.id, idempotency_key, created.id)
            return created

    async def get_service_request(
        self, property: pms.Property, request_id: str
    ) -> pms.ServiceRequest:
        async with session_scope(self._sessionmaker) as session:
            return await services_store.get_request(session, property, request_id)

    def _check_dates(self, property: pms.Property, check_in: dt.date) -> None:
        if check_in < pricing.local_today(self._clock(), property.timezone):
            raise errors.InvalidRequest("check_in is in the past for the property")


def _check_expected(expected: pricing.Decimal | None, total_cents: int) -> None:
    if expected is not None and pricing.to_cents(expected) != total_cents:
        raise errors.RateChanged("the current total differs from the expected total")


def _new_reference(property: pms.Property) -> str:
    prefix = "".join(c for c in property.slug.upper() if c.isalpha())[:3] or "HTL"
    return prefix + "-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def _quote_id(property: pms.Property, request: pms.QuoteRequest, total_cents: int) -> str:
    payload = f"{property.id}|{request.model_dump_json()}|{total_cents}"
    return "q_" + hashlib.sha256(payload.encode()).hexdigest()[:24]
