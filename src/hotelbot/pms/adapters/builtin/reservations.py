"""Reservation rows of the built-in PMS: insert, load, change, cancel, and render as contract.

Called by `adapter.py` inside its unit of work; nothing here commits or touches inventory.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Protocol

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

import hotelbot.pms.schemas as pms
from hotelbot.kit import crypto
from hotelbot.pms import errors
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters.builtin import pricing
from hotelbot.pms.adapters.builtin.models import (
    PmsGuest,
    PmsRatePlan,
    PmsReservation,
    PmsReservationNight,
    PmsRoomType,
)
from hotelbot.pms.adapters.builtin.pricing import Priced, to_money


class HasStay(Protocol):
    @property
    def check_in(self) -> dt.date: ...

    @property
    def check_out(self) -> dt.date: ...


async def insert(
    session: AsyncSession,
    property: pms.Property,
    request: pms.ReservationCreate,
    priced: Priced,
    *,
    reference: str,
    now: dt.datetime,
) -> PmsReservation:
    guest = await _find_or_create_guest(session, property.id, request.guest)
    row = PmsReservation(
        id=uuid.uuid4(),
        reference=reference,
        property_id=property.id,
        guest_id=guest.id,
        room_type_id=priced.room_type.id,
        rate_plan_id=priced.rate_plan.id,
        status=pms.ReservationStatus.CONFIRMED.value,
        notes=request.notes or None,
        currency=property.currency,
        created_at=now,
        **_stay_columns(request, priced, now),
    )
    session.add(row)
    await session.flush()
    await _write_nights(session, row.id, request.check_in, priced.night_cents)
    return row


def _stay_columns(stay: pms.QuoteRequest, priced: Priced, now: dt.datetime) -> dict[str, object]:
    return {
        "check_in": stay.check_in,
        "check_out": stay.check_out,
        "adults": stay.occupancy.adults,
        "children_ages": list(stay.occupancy.children_ages),
        "rooms": stay.occupancy.rooms,
        "subtotal_cents": priced.subtotal_cents,
        "total_cents": priced.total_cents,
        "taxes": [t.model_dump(mode="json") for t in priced.taxes],
        "updated_at": now,
    }


async def _write_nights(
    session: AsyncSession, reservation_id: uuid.UUID, check_in: dt.date, night_cents: list[int]
) -> None:
    session.add_all(
        PmsReservationNight(
            reservation_id=reservation_id,
            date=check_in + dt.timedelta(days=i),
            amount_cents=cents,
        )
        for i, cents in enumerate(night_cents)
    )
    await session.flush()


async def lock(session: AsyncSession, property_id: uuid.UUID, reference: str) -> PmsReservation:
    """Load for change; Postgres row-locks it (SQLite's BEGIN IMMEDIATE already serialises)."""
    row = await session.scalar(
        select(PmsReservation)
        .where(PmsReservation.property_id == property_id, PmsReservation.reference == reference)
        .with_for_update()
    )
    if row is None:
        raise errors.ReservationNotFound("reservation not found")
    return row


def check_modifiable(row: PmsReservation, today: dt.date) -> None:
    if row.status != pms.ReservationStatus.CONFIRMED.value:
        raise errors.ReservationNotModifiable("the reservation is not active")
    if row.check_out <= today:
        raise errors.ReservationNotModifiable("the stay is over")


def changed_stay(row: PmsReservation, change: pms.ReservationChange) -> pms.Stay:
    try:
        return pms.Stay(
            check_in=change.check_in or row.check_in,
            check_out=change.check_out or row.check_out,
            occupancy=change.occupancy or _occupancy(row),
        )
    except ValueError as exc:
        raise errors.InvalidRequest("the new dates are not a valid stay") from exc


async def room_type_code(session: AsyncSession, row: PmsReservation) -> str:
    room_type = await session.get(PmsRoomType, row.room_type_id)
    assert room_type is not None
    return room_type.code


async def rate_plan_code(session: AsyncSession, row: PmsReservation) -> str:
    plan = await session.get(PmsRatePlan, row.rate_plan_id)
    assert plan is not None
    return plan.code


async def apply_change(
    session: AsyncSession,
    row: PmsReservation,
    request: pms.QuoteRequest,
    priced: Priced,
    *,
    now: dt.datetime,
) -> None:
    for name, value in _stay_columns(request, priced, now).items():
        setattr(row, name, value)
    await session.execute(
        delete(PmsReservationNight).where(PmsReservationNight.reservation_id == row.id)
    )
    await _write_nights(session, row.id, request.check_in, priced.night_cents)


async def cancel(
    session: AsyncSession, property: pms.Property, row: PmsReservation, *, now: dt.datetime
) -> None:
    """Mark cancelled with the fee the rate plan's policy charges at `now`."""
    policy = await _policy(session, row)
    nights = await _nights(session, row.id)
    deadline = cancellation_policy.property_deadline(property, policy, row.check_in)
    row.cancellation_fee_cents = pricing.cancellation_fee_cents(
        policy,
        night_cents=[pricing.to_cents(n.amount) for n in nights],
        total_cents=row.total_cents,
        deadline=deadline,
        now=now,
    )
    row.status = pms.ReservationStatus.CANCELLED.value
    row.cancelled_at = now
    row.updated_at = now
    await session.flush()


def cancellation_out(row: PmsReservation) -> pms.Cancellation:
    assert row.cancelled_at is not None
    fee = row.cancellation_fee_cents or 0
    return pms.Cancellation(
        reference=row.reference,
        status=pms.ReservationStatus(row.status),
        cancelled_at=row.cancelled_at,
        fee=to_money(fee),
        refund=to_money(max(row.total_cents - fee, 0)),
        currency=row.currency,
    )


async def get(
    session: AsyncSession, property: pms.Property, reference: str, *, now: dt.datetime
) -> pms.Reservation:
    row = await session.scalar(
        select(PmsReservation).where(
            PmsReservation.property_id == property.id, PmsReservation.reference == reference
        )
    )
    if row is None:
        raise errors.ReservationNotFound("reservation not found")
    return await _out(session, property, row)


async def list_by_contact(
    session: AsyncSession, property: pms.Property, contact: pms.GuestContact
) -> list[pms.Reservation]:
    guest_ids = await _guest_ids(session, property.id, contact)
    if not guest_ids:
        return []
    rows = await session.scalars(
        select(PmsReservation)
        .where(PmsReservation.property_id == property.id, PmsReservation.guest_id.in_(guest_ids))
        .order_by(PmsReservation.check_in.desc(), PmsReservation.reference)
    )
    return [await _out(session, property, row) for row in rows.all()]


async def _out(
    session: AsyncSession, property: pms.Property, row: PmsReservation
) -> pms.Reservation:
    guest = await session.get(PmsGuest, row.guest_id)
    room_type = await session.get(PmsRoomType, row.room_type_id)
    plan = await session.get(PmsRatePlan, row.rate_plan_id)
    assert guest is not None and room_type is not None and plan is not None
    policy = plan_policy(plan)
    return pms.Reservation(
        reference=row.reference,
        property_id=row.property_id,
        status=pms.ReservationStatus(row.status),
        check_in=row.check_in,
        check_out=row.check_out,
        occupancy=_occupancy(row),
        room_type_code=room_type.code,
        rate_plan_code=plan.code,
        guest=_guest_out(guest),
        nights=await _nights(session, row.id),
        subtotal=to_money(row.subtotal_cents),
        taxes=[pms.TaxLine.model_validate(t) for t in row.taxes],
        total=to_money(row.total_cents),
        currency=row.currency,
        cancellation_policy=policy,
        free_cancellation_until=cancellation_policy.property_deadline(
            property, policy, row.check_in
        ),
        created_at=row.created_at,
        updated_at=row.updated_at,
        cancelled_at=row.cancelled_at,
        cancellation_fee=(
            None if row.cancellation_fee_cents is None else to_money(row.cancellation_fee_cents)
        ),
    )


def _occupancy(row: PmsReservation) -> pms.Occupancy:
    return pms.Occupancy(adults=row.adults, children_ages=list(row.children_ages), rooms=row.rooms)


def plan_policy(plan: PmsRatePlan) -> pms.CancellationPolicy:
    return pms.CancellationPolicy(
        refundable=plan.refundable,
        deadline_days_before=plan.deadline_days_before,
        fee_nights=plan.fee_nights,
        fee_percent=plan.fee_percent,
        description=plan.policy_description,
    )


async def _policy(session: AsyncSession, row: PmsReservation) -> pms.CancellationPolicy:
    plan = await session.get(PmsRatePlan, row.rate_plan_id)
    assert plan is not None
    return plan_policy(plan)


async def _nights(session: AsyncSession, reservation_id: uuid.UUID) -> list[pms.NightPrice]:
    rows = await session.scalars(
        select(PmsReservationNight)
        .where(PmsReservationNight.reservation_id == reservation_id)
        .order_by(PmsReservationNight.date)
    )
    return [pms.NightPrice(date=n.date, amount=to_money(n.amount_cents)) for n in rows]


# ---- guests ------------------------------------------------------------------------------


def _phone_index(phone: str) -> str:
    return crypto.installed().blind_index("phone:" + phone)


def _email_index(email: str) -> str:
    return crypto.installed().blind_index("email:" + email.strip().lower())


async def _guest_ids(
    session: AsyncSession, property_id: uuid.UUID, contact: pms.GuestContact
) -> list[uuid.UUID]:
    conditions = []
    if contact.phone:
        conditions.append(PmsGuest.phone_index == _phone_index(contact.phone))
    if contact.email:
        conditions.append(PmsGuest.email_index == _email_index(contact.email))
    rows = await session.scalars(
        select(PmsGuest.id).where(PmsGuest.property_id == property_id, or_(*conditions))
    )
    return list(rows.all())


async def _find_or_create_guest(
    session: AsyncSession, property_id: uuid.UUID, details: pms.GuestDetails
) -> PmsGuest:
    ids = await _guest_ids(session, property_id, details)
    if ids:
        guest = await session.get(PmsGuest, ids[0])
        assert guest is not None
        if details.email and guest.email is None:
            guest.email, guest.email_index = details.email, _email_index(details.email)
        if details.phone and guest.phone is None:
            guest.phone, guest.phone_index = details.phone, _phone_index(details.phone)
        return guest
    guest = PmsGuest(
        id=uuid.uuid4(),
        property_id=property_id,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        phone=details.phone,
        email_index=_email_index(details.email) if details.email else None,
        phone_index=_phone_index(details.phone) if details.phone else None,
        language=details.language,
    )
    session.add(guest)
    await session.flush()
    return guest


def _guest_out(guest: PmsGuest) -> pms.Guest:
    return pms.Guest(
        id=str(guest.id),
        first_name=guest.first_name,
        last_name=guest.last_name,
        email=guest.email,
        phone=guest.phone,
        language=guest.language,
    )
