"""The built-in PMS on a real database: demo inventory, pricing, booking, fees, no overbooking."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.db import session_scope
from hotelbot.pms import errors
from hotelbot.pms.adapters.builtin import demo
from hotelbot.pms.adapters.builtin.adapter import BuiltinAdapter
from hotelbot.pms.adapters.builtin.models import PmsInventory, PmsProperty, PmsRoom, PmsRoomType
from hotelbot.pms.schemas import (
    GuestContact,
    GuestDetails,
    Occupancy,
    OrderLine,
    Property,
    QuoteRequest,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
    ServiceRequestCreate,
    ServiceRequestKind,
)
from hotelbot.pms.service import PmsRuntime, get_property
from hotelbot.property import demo as chatbot_demo
from tests.pms.conftest import NOW, TODAY, Clock

CHECK_IN = TODAY + dt.timedelta(days=20)


async def _demo(runtime: PmsRuntime) -> Property:
    return await get_property(runtime, demo.DEMO_PROPERTY_SLUG)


def _booking(room: str = "SUP-SEA", plan: str = "FLEX-BB", nights: int = 3) -> ReservationCreate:
    return ReservationCreate(
        check_in=CHECK_IN,
        check_out=CHECK_IN + dt.timedelta(days=nights),
        occupancy=Occupancy(adults=2),
        room_type_code=room,
        rate_plan_code=plan,
        guest=GuestDetails(first_name="Ilse", last_name="Varga", phone="+36201110000"),
    )


async def test_demo_hotel_has_forty_rooms_in_four_types_and_a_year_of_inventory(
    pms_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with pms_sessionmaker() as session:
        rooms = await session.scalar(select(func.count()).select_from(PmsRoom))
        types = await session.scalar(select(func.count()).select_from(PmsRoomType))
        last = await session.scalar(select(func.max(PmsInventory.date)))
    assert (rooms, types) == (40, 4)
    assert last == TODAY + dt.timedelta(days=demo.CALENDAR_DAYS - 1)


async def test_seeding_again_adds_nothing_and_rolls_the_calendar_forward(
    pms_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with session_scope(pms_sessionmaker) as session:
        await demo.ensure_demo_hotel(session, now=NOW + dt.timedelta(days=2))
    async with pms_sessionmaker() as session:
        rooms = await session.scalar(select(func.count()).select_from(PmsRoom))
        last = await session.scalar(select(func.max(PmsInventory.date)))
    assert rooms == 40
    assert last == TODAY + dt.timedelta(days=demo.CALENDAR_DAYS + 1)


async def test_weekend_nights_cost_more_than_weekdays() -> None:
    friday, tuesday = dt.date(2031, 5, 9), dt.date(2031, 5, 6)
    base = Decimal("100")
    assert demo.night_price(base, friday, breakfast=False, refundable=True) > demo.night_price(
        base, tuesday, breakfast=False, refundable=True
    )


async def test_availability_prices_every_night_with_city_tax_on_top(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    found = await runtime.builtin.availability(
        prop, CHECK_IN, CHECK_IN + dt.timedelta(days=7), Occupancy(adults=2, children_ages=[8])
    )
    assert found.currency == "EUR"
    assert {o.room_type_code for o in found.offers} == {"STD-DBL", "STD-TWN", "SUP-SEA", "FAM-STE"}
    offer = next(o for o in found.offers if o.rate_plan_code == "FLEX-BB")
    assert len(offer.nights) == 7
    assert offer.subtotal == sum(n.amount for n in offer.nights)
    city = next(t for t in offer.taxes if t.code == "CITY")
    # Two adults pay city tax for 7 nights; the 8-year-old does not.
    assert city.amount == Decimal("35.00")
    assert offer.total == offer.subtotal + city.amount


async def test_party_too_big_for_a_room_is_offered_only_the_family_suite(
    runtime: PmsRuntime,
) -> None:
    prop = await _demo(runtime)
    found = await runtime.builtin.availability(
        prop, CHECK_IN, CHECK_IN + dt.timedelta(days=2), Occupancy(adults=3, children_ages=[4, 9])
    )
    assert {o.room_type_code for o in found.offers} == {"FAM-STE"}


async def test_booking_takes_a_room_for_every_night_and_cancel_gives_it_back(
    runtime: PmsRuntime,
) -> None:
    prop = await _demo(runtime)
    stay = (CHECK_IN, CHECK_IN + dt.timedelta(days=3), Occupancy(adults=2))

    def free(av) -> int:  # type: ignore[no-untyped-def]
        return next(o.available_rooms for o in av.offers if o.room_type_code == "SUP-SEA")

    before = free(await runtime.builtin.availability(prop, *stay))
    booked = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="key-00001")
    assert free(await runtime.builtin.availability(prop, *stay)) == before - 1
    await runtime.builtin.cancel_reservation(prop, booked.reference)
    assert free(await runtime.builtin.availability(prop, *stay)) == before


async def test_same_idempotency_key_books_once(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    first = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="same-key-1")
    again = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="same-key-1")
    assert again.reference == first.reference
    mine = await runtime.builtin.list_reservations(prop, GuestContact(phone="+36201110000"))
    assert [r.reference for r in mine] == [first.reference]


async def test_reusing_a_key_for_another_booking_is_a_conflict(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="reused-key")
    with pytest.raises(errors.IdempotencyConflict):
        await runtime.builtin.create_reservation(
            prop, _booking(nights=4), idempotency_key="reused-key"
        )


async def test_expected_total_that_no_longer_matches_raises_rate_changed(
    runtime: PmsRuntime,
) -> None:
    prop = await _demo(runtime)
    request = _booking().model_copy(update={"expected_total": Decimal("1.00")})
    with pytest.raises(errors.RateChanged):
        await runtime.builtin.create_reservation(prop, request, idempotency_key="rate-key-1")


async def test_flexible_rate_cancels_free_before_the_deadline_and_costs_a_night_after(
    runtime: PmsRuntime, clock: Clock
) -> None:
    prop = await _demo(runtime)
    early = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="flex-0001")
    late = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="flex-0002")
    assert (await runtime.builtin.cancel_reservation(prop, early.reference)).fee == 0
    clock.now = dt.datetime.combine(CHECK_IN - dt.timedelta(days=1), dt.time(12), dt.UTC)
    cancelled = await runtime.builtin.cancel_reservation(prop, late.reference)
    assert cancelled.fee == late.nights[0].amount
    assert cancelled.refund == late.total - late.nights[0].amount


async def test_non_refundable_cancellation_costs_the_whole_stay(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    booked = await runtime.builtin.create_reservation(
        prop, _booking(plan="NRF"), idempotency_key="nrf-key-01"
    )
    cancelled = await runtime.builtin.cancel_reservation(prop, booked.reference)
    assert (cancelled.fee, cancelled.refund) == (booked.total, Decimal("0.00"))
    again = await runtime.builtin.cancel_reservation(prop, booked.reference)
    assert again == cancelled


async def test_modify_moves_the_stay_and_reprices_it(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    booked = await runtime.builtin.create_reservation(prop, _booking(), idempotency_key="mod-key-1")
    moved = await runtime.builtin.modify_reservation(
        prop,
        booked.reference,
        ReservationChange(check_out=CHECK_IN + dt.timedelta(days=5)),
    )
    assert moved.status is ReservationStatus.CONFIRMED
    assert [n.date for n in moved.nights][-1] == CHECK_IN + dt.timedelta(days=4)
    assert moved.total > booked.total


async def test_modify_into_sold_out_nights_keeps_the_original_stay(
    runtime: PmsRuntime, pms_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    prop = await _demo(runtime)
    booked = await runtime.builtin.create_reservation(
        prop, _booking(room="FAM-STE"), idempotency_key="mod-key-2"
    )
    blocked = CHECK_IN + dt.timedelta(days=4)
    async with session_scope(pms_sessionmaker) as session:
        await session.execute(
            update(PmsInventory).where(PmsInventory.date == blocked).values(sold=PmsInventory.total)
        )
    with pytest.raises(errors.RoomUnavailable):
        await runtime.builtin.modify_reservation(
            prop, booked.reference, ReservationChange(check_out=CHECK_IN + dt.timedelta(days=6))
        )
    assert await runtime.builtin.get_reservation(prop, booked.reference) == booked


async def test_booking_in_the_past_is_invalid(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    request = _booking().model_copy(
        update={"check_in": TODAY - dt.timedelta(days=1), "check_out": TODAY}
    )
    with pytest.raises(errors.InvalidRequest):
        await runtime.builtin.create_reservation(prop, request, idempotency_key="past-key-1")


async def test_the_demo_hotel_keeps_the_chatbots_calendar_late_in_the_evening(
    runtime: PmsRuntime, clock: Clock
) -> None:
    """At 23:30 in Lisbon the chatbot's "today" is still today for the PMS too."""
    prop = await _demo(runtime)
    assert prop.timezone == chatbot_demo.DEMO_TIMEZONE
    clock.now = dt.datetime(2031, 3, 3, 23, 30, tzinfo=ZoneInfo(chatbot_demo.DEMO_TIMEZONE))
    request = _booking().model_copy(
        update={"check_in": TODAY, "check_out": TODAY + dt.timedelta(days=2)}
    )
    booked = await runtime.builtin.create_reservation(prop, request, idempotency_key="late-key-1")
    assert booked.check_in == TODAY


async def test_a_demo_hotel_seeded_in_another_timezone_is_moved_to_lisbon(
    pms_sessionmaker: async_sessionmaker[AsyncSession], runtime: PmsRuntime
) -> None:
    async with session_scope(pms_sessionmaker) as session:
        await session.execute(
            update(PmsProperty).values(
                timezone="Europe/Madrid",
                tax_rules=[{"code": "VAT", "name": "VAT 10%", "kind": "percent",
                            "included": True, "rate": "10"}],
            )
        )  # fmt: skip
    async with session_scope(pms_sessionmaker) as session:
        await demo.ensure_demo_hotel(session, now=NOW)
    assert (await _demo(runtime)).timezone == "Europe/Lisbon"
    async with pms_sessionmaker() as session:
        row = await session.get(PmsProperty, demo.DEMO_PROPERTY_ID)
    assert row is not None and row.tax_rules == demo.TAX_RULES


async def test_room_service_order_is_priced_from_the_menu(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    order = ServiceRequestCreate(
        kind=ServiceRequestKind.ROOM_SERVICE,
        room_number="301",
        items=[OrderLine(code="RS-CLUB", quantity=2), OrderLine(code="RS-WATER")],
    )
    created = await runtime.builtin.create_service_request(prop, order, idempotency_key="rs-key-01")
    assert created.total == Decimal("36.00")
    assert await runtime.builtin.get_service_request(prop, created.id) == created


async def test_quote_for_an_unknown_room_type_is_invalid(runtime: PmsRuntime) -> None:
    prop = await _demo(runtime)
    with pytest.raises(errors.InvalidRequest):
        await runtime.builtin.quote(
            prop,
            QuoteRequest(
                check_in=CHECK_IN,
                check_out=CHECK_IN + dt.timedelta(days=1),
                room_type_code="PENTHOUSE",
                rate_plan_code="FLEX-BB",
            ),
        )


async def test_fifty_simultaneous_bookings_for_the_last_room_sell_it_once(
    runtime: PmsRuntime, pms_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    prop = await _demo(runtime)
    async with session_scope(pms_sessionmaker) as session:
        fam = await session.scalar(select(PmsRoomType.id).where(PmsRoomType.code == "FAM-STE"))
        await session.execute(
            update(PmsInventory)
            .where(PmsInventory.room_type_id == fam)
            .values(sold=PmsInventory.total - 1)
        )
    adapter = BuiltinAdapter(pms_sessionmaker, clock=lambda: NOW)

    async def book(i: int) -> str:
        try:
            await adapter.create_reservation(
                prop, _booking(room="FAM-STE"), idempotency_key=f"race-key-{i:03d}"
            )
            return "booked"
        except errors.RoomUnavailable:
            return "unavailable"

    outcomes = await asyncio.gather(*(book(i) for i in range(50)))
    assert outcomes.count("booked") == 1
    assert outcomes.count("unavailable") == 49
    async with pms_sessionmaker() as session:
        oversold = await session.scalar(
            select(func.count()).where(PmsInventory.sold > PmsInventory.total)
        )
    assert oversold == 0
