"""What the built-in PMS sells, read from its tables: room types and rate plans (rows and
their contract shapes), stays priced night by night, and the inventory a booking takes or gives
back (one conditional `UPDATE` per stay, so two bookings never share the last room)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.pms import errors
from hotelbot.pms.adapters.builtin import pricing, reservations
from hotelbot.pms.adapters.builtin.models import (
    PmsInventory,
    PmsPrice,
    PmsProperty,
    PmsRatePlan,
    PmsRoomType,
)
from hotelbot.pms.adapters.builtin.pricing import Priced, to_money
from hotelbot.pms.schemas import (
    LocalizedText,
    NightPrice,
    Occupancy,
    Offer,
    QuoteRequest,
    RatePlan,
    RoomType,
)


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
        for rt in await room_type_rows(session, row.id)
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
        for rp in await rate_plan_rows(session, row.id)
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
    if room_type_code not in {rt.code for rt in await room_type_rows(session, property_id)}:
        raise errors.InvalidRequest("unknown room_type_code")
    if rate_plan_code not in {rp.code for rp in await rate_plan_rows(session, property_id)}:
        raise errors.InvalidRequest("unknown rate_plan_code")


async def property_row(session: AsyncSession, property_id: uuid.UUID) -> PmsProperty:
    row = await session.get(PmsProperty, property_id)
    if row is None:
        raise errors.PropertyNotFound("property not found")
    return row


async def room_type_rows(session: AsyncSession, property_id: uuid.UUID) -> Sequence[PmsRoomType]:
    rows = await session.scalars(
        select(PmsRoomType)
        .where(PmsRoomType.property_id == property_id)
        .order_by(PmsRoomType.sort_order, PmsRoomType.code)
    )
    return rows.all()


async def rate_plan_rows(session: AsyncSession, property_id: uuid.UUID) -> Sequence[PmsRatePlan]:
    rows = await session.scalars(
        select(PmsRatePlan)
        .where(PmsRatePlan.property_id == property_id)
        .order_by(PmsRatePlan.sort_order, PmsRatePlan.code)
    )
    return rows.all()


# ---- rows → contract ---------------------------------------------------------------------


def room_type_out(rt: PmsRoomType) -> RoomType:
    return RoomType.model_validate(
        {
            "code": rt.code,
            "name": rt.name,
            "names": names_out(rt.names),
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


def names_out(names: dict[str, str] | None) -> list[LocalizedText]:
    return [LocalizedText(language=lang, text=text) for lang, text in sorted((names or {}).items())]


def rate_plan_out(rp: PmsRatePlan) -> RatePlan:
    return RatePlan.model_validate(
        {
            "code": rp.code,
            "name": rp.name,
            "names": names_out(rp.names),
            "description": rp.description,
            "refundable": rp.refundable,
            "breakfast_included": rp.breakfast_included,
            "cancellation_policy": reservations.plan_policy(rp),
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
        room_type_names=names_out(p.room_type.names),
        rate_plan_code=p.rate_plan.code,
        rate_plan_name=p.rate_plan.name,
        rate_plan_names=names_out(p.rate_plan.names),
        available_rooms=p.available,
        breakfast_included=p.rate_plan.breakfast_included,
        refundable=p.rate_plan.refundable,
        nights=nights_out(p.check_in, p.night_cents),
        subtotal=to_money(p.subtotal_cents),
        taxes=p.taxes,
        total=to_money(p.total_cents),
        currency=currency,
    )
