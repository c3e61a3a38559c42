"""Contract tests: the real QloApps adapter (httpx) against the local webservice fake."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from hotelbot.pms import service
from hotelbot.pms.adapters.base import AdapterConfig, PmsAdapter
from hotelbot.pms.adapters.qloapps import QloAppsAdapter, create_adapter
from hotelbot.pms.adapters.settings_policy import SettingsPolicy
from hotelbot.pms.errors import (
    InvalidRequest,
    RateChanged,
    ReservationNotFound,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    GuestContact,
    GuestDetails,
    Occupancy,
    Property,
    QuoteRequest,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
)
from hotelbot.pms.service import PmsRuntime
from tests.pms.adapters.contract import (
    booking_request,
    raises_retryable_unavailable,
    refuses_to_build,
    start_clock,
)
from tests.pms.conftest import Clock
from tests.pms.fakes.qloapps import QloAppsFakeState, create_qloapps_fake, default_state
from tests.pms.fakes.transport import LoseAnswer

BASE = "https://qloapps.test"
PROPERTY = Property(
    id=uuid.UUID("6b1f0d6e-3c1a-4f7e-9d2b-8a4c5e7f9012"),
    slug="quinta-do-rio",
    name="Quinta do Rio",
    timezone="Europe/Lisbon",
    currency="EUR",
    pms_adapter="qloapps",
)
MON = dt.date(2026, 7, 6)
THU = dt.date(2026, 7, 9)
SUN = dt.date(2026, 7, 12)
START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
GUEST = GuestDetails(
    first_name="Inês", last_name="Moura", email="ines.moura@example.net", phone="+351912345678"
)

STAY = {
    "check_in": THU,
    "check_out": SUN,
    "occupancy": Occupancy(adults=2),
    "room_type_code": "11",
    "rate_plan_code": "base-11",
    "guest": GUEST,
}


@pytest.fixture
def state() -> QloAppsFakeState:
    return default_state()


@pytest.fixture
def clock(state: QloAppsFakeState) -> Clock:
    return start_clock(state, START)


def make_adapter(
    state: QloAppsFakeState, clock: Clock, transport: httpx.AsyncBaseTransport | None = None
) -> QloAppsAdapter:
    return QloAppsAdapter(
        BASE,
        state.api_key,
        str(state.hotel_id),
        transport=transport or httpx.ASGITransport(app=create_qloapps_fake(state)),
        cancellation=SettingsPolicy(non_refundable=frozenset({"base-12"})),
        now=clock,
        property_id=str(PROPERTY.id),
    )


@pytest.fixture
def adapter(state: QloAppsFakeState, clock: Clock) -> QloAppsAdapter:
    return make_adapter(state, clock)


def booking(**overrides: object) -> ReservationCreate:
    return booking_request(STAY, overrides)


def test_adapter_satisfies_the_protocol(adapter: QloAppsAdapter) -> None:
    assert isinstance(adapter, PmsAdapter)


async def test_room_types_and_one_rate_plan_per_room_type(adapter: QloAppsAdapter) -> None:
    rooms = await adapter.list_room_types(PROPERTY)
    assert [(r.code, r.name, r.max_adults, r.max_occupancy) for r in rooms] == [
        ("11", "Garden Double", 2, 3),
        ("12", "Tower Suite", 3, 5),
    ]
    assert rooms[0].description == "Garden Double, facing the garden."
    plans = await adapter.list_rate_plans(PROPERTY)
    assert [(p.code, p.room_type_codes, p.refundable) for p in plans] == [
        ("base-11", ["11"], True),
        ("base-12", ["12"], False),
    ]


async def test_availability_prices_every_night_with_tax_cheapest_first(
    adapter: QloAppsAdapter,
) -> None:
    result = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))
    assert [(o.room_type_code, o.rate_plan_code) for o in result.offers] == [
        ("11", "base-11"),
        ("12", "base-12"),
    ]
    garden = result.offers[0]
    assert [(n.date, n.amount) for n in garden.nights] == [
        (THU, Decimal("90.00")),
        (dt.date(2026, 7, 10), Decimal("110.00")),
        (dt.date(2026, 7, 11), Decimal("110.00")),
    ]
    assert garden.subtotal == Decimal("310.00")
    assert [(t.amount, t.included) for t in garden.taxes] == [(Decimal("31.00"), False)]
    assert garden.total == Decimal("341.00")
    assert garden.available_rooms == 2
    assert result.offers[1].refundable is False


async def test_availability_leaves_out_rooms_too_small_or_too_few(
    adapter: QloAppsAdapter,
) -> None:
    three = await adapter.availability(PROPERTY, MON, THU, Occupancy(adults=3))
    assert [o.room_type_code for o in three.offers] == ["12"]
    two_rooms = await adapter.availability(PROPERTY, MON, THU, Occupancy(adults=4, rooms=2))
    assert [o.room_type_code for o in two_rooms.offers] == ["11"]
    assert two_rooms.offers[0].nights[0].amount == Decimal("180.00")


async def test_availability_drops_after_a_booking(adapter: QloAppsAdapter) -> None:
    await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0001")
    after = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))
    assert {o.room_type_code: o.available_rooms for o in after.offers} == {"11": 1, "12": 1}


async def test_quote_carries_taxes_policy_and_expiry(adapter: QloAppsAdapter) -> None:
    request = QuoteRequest(
        check_in=THU,
        check_out=SUN,
        occupancy=Occupancy(adults=2),
        room_type_code="11",
        rate_plan_code="base-11",
    )
    quote = await adapter.quote(PROPERTY, request)
    assert quote.total == Decimal("341.00")
    assert quote.cancellation_policy.deadline_days_before == 2
    # Two days before arrival at 15:00 Lisbon time (UTC+1 in summer).
    assert quote.free_cancellation_until == dt.datetime(2026, 7, 7, 14, 0, tzinfo=dt.UTC)
    assert quote.expires_at == START + dt.timedelta(minutes=15)


async def test_quote_refuses_a_plan_of_another_room_type(adapter: QloAppsAdapter) -> None:
    request = QuoteRequest(
        check_in=THU, check_out=SUN, room_type_code="11", rate_plan_code="base-12"
    )
    with pytest.raises(InvalidRequest):
        await adapter.quote(PROPERTY, request)


async def test_create_get_cancel_round_trip(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    created = await adapter.create_reservation(
        PROPERTY, booking(expected_total=Decimal("341.00")), idempotency_key="ql-key-0002"
    )
    assert created.status is ReservationStatus.CONFIRMED
    assert (created.subtotal, created.total) == (Decimal("310.00"), Decimal("341.00"))
    assert sum(n.amount for n in created.nights) == created.subtotal
    assert created.rate_plan_code == "base-11"
    assert created.guest.email == GUEST.email
    assert created.guest.phone == GUEST.phone
    assert await adapter.get_reservation(PROPERTY, created.reference) == created

    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == Decimal("0.00")
    assert state.orders[int(created.reference)]["current_state"] == "4"
    assert (await adapter.get_reservation(PROPERTY, created.reference)).status is (
        ReservationStatus.CANCELLED
    )
    again = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert again.fee == cancelled.fee
    assert state.calls.count("PUT bookings") == 1
    free = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))
    assert free.offers[0].available_rooms == 2


async def test_create_twice_with_one_key_posts_once(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    first = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0003")
    second = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0003")
    assert first.reference == second.reference
    assert state.calls.count("POST bookings") == 1


async def test_retry_after_a_lost_answer_books_once(state: QloAppsFakeState, clock: Clock) -> None:
    lossy = LoseAnswer(
        httpx.ASGITransport(app=create_qloapps_fake(state)),
        lambda request: request.method == "POST" and request.url.path.endswith("/bookings"),
    )
    adapter = make_adapter(state, clock, lossy)
    await raises_retryable_unavailable(
        adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0004")
    )

    retried = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0004")
    assert list(state.orders) == [int(retried.reference)]
    assert state.calls.count("POST bookings") == 1


async def test_two_room_booking_is_one_reservation(adapter: QloAppsAdapter) -> None:
    created = await adapter.create_reservation(
        PROPERTY,
        booking(occupancy=Occupancy(adults=3, children_ages=[6], rooms=2)),
        idempotency_key="ql-key-0005",
    )
    assert created.occupancy.rooms == 2
    assert (created.occupancy.adults, created.occupancy.children) == (3, 1)
    assert created.total == Decimal("682.00")


async def test_guest_lookup_by_email(adapter: QloAppsAdapter) -> None:
    await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0006")
    later = booking(check_in=dt.date(2026, 8, 3), check_out=dt.date(2026, 8, 5))
    await adapter.create_reservation(PROPERTY, later, idempotency_key="ql-key-0007")

    mine = await adapter.list_reservations(PROPERTY, GuestContact(email=GUEST.email))
    assert [r.check_in for r in mine] == [dt.date(2026, 8, 3), THU]
    assert await adapter.list_reservations(PROPERTY, GuestContact(email="x@example.com")) == []
    # QloApps customers carry no phone to search on.
    assert await adapter.list_reservations(PROPERTY, GuestContact(phone=GUEST.phone)) == []


async def test_create_refuses_a_moved_price(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    with pytest.raises(RateChanged):
        await adapter.create_reservation(
            PROPERTY, booking(expected_total=Decimal("310.00")), idempotency_key="ql-key-0008"
        )
    assert "POST bookings" not in state.calls


async def test_create_without_email_is_invalid(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    guest = GuestDetails(first_name="Inês", phone="+351912345678")
    with pytest.raises(InvalidRequest):
        await adapter.create_reservation(PROPERTY, booking(guest=guest), idempotency_key="ql-k-09")
    assert state.calls == []


async def test_sold_out_room_raises_room_unavailable(adapter: QloAppsAdapter) -> None:
    suite = booking(room_type_code="12", rate_plan_code="base-12")
    await adapter.create_reservation(PROPERTY, suite, idempotency_key="ql-key-0010")
    with pytest.raises(RoomUnavailable):
        await adapter.create_reservation(PROPERTY, suite, idempotency_key="ql-key-0011")


async def test_qloapps_refusing_a_sold_out_room_raises_room_unavailable(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    """The last room goes between our availability check and the booking (a race)."""
    suite = booking(room_type_code="12", rate_plan_code="base-12")
    other = GuestDetails(first_name="Rui", last_name="Lopes", email="rui.lopes@example.net")
    real_ari = adapter._ari

    async def ari_then_someone_books(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        days = await real_ari(*args, **kwargs)  # type: ignore[arg-type]
        rival = make_adapter(state, Clock(START))
        rival._ari = real_ari  # type: ignore[method-assign]
        await rival.create_reservation(
            PROPERTY, suite.model_copy(update={"guest": other}), idempotency_key="ql-rival-1"
        )
        return days

    adapter._ari = ari_then_someone_books  # type: ignore[method-assign]
    with pytest.raises(RoomUnavailable):
        await adapter.create_reservation(PROPERTY, suite, idempotency_key="ql-key-0012")
    assert state.calls.count("POST bookings") == 2


async def test_non_refundable_cancel_charges_everything(adapter: QloAppsAdapter) -> None:
    created = await adapter.create_reservation(
        PROPERTY, booking(room_type_code="12", rate_plan_code="base-12"), idempotency_key="ql-13"
    )
    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == created.total == Decimal("704.00")


async def test_cancel_after_the_deadline_charges_the_first_night(
    adapter: QloAppsAdapter, clock: Clock
) -> None:
    created = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0014")
    clock.now = dt.datetime(2026, 7, 8, 9, 0, tzinfo=dt.UTC)
    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == created.nights[0].amount


async def test_modify_moves_the_dates(adapter: QloAppsAdapter, state: QloAppsFakeState) -> None:
    mine = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0015")
    moved = await adapter.modify_reservation(
        PROPERTY, mine.reference, ReservationChange(check_in=MON, check_out=THU)
    )
    assert (moved.check_in, moved.check_out) == (MON, THU)
    assert moved.total == Decimal("297.00")
    assert moved.reference == mine.reference
    free = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))
    assert free.offers[0].available_rooms == 2


async def test_modify_onto_taken_nights_keeps_the_old_stay(adapter: QloAppsAdapter) -> None:
    """QloApps checks new nights before releasing the old ones: the one suite cannot move onto
    nights that overlap its own stay."""
    suite = booking(room_type_code="12", rate_plan_code="base-12")
    mine = await adapter.create_reservation(PROPERTY, suite, idempotency_key="ql-key-0016")
    with pytest.raises(RoomUnavailable):
        await adapter.modify_reservation(
            PROPERTY, mine.reference, ReservationChange(check_out=dt.date(2026, 7, 13))
        )
    assert (await adapter.get_reservation(PROPERTY, mine.reference)).check_out == SUN


async def test_modify_of_the_party_alone_is_not_supported(adapter: QloAppsAdapter) -> None:
    mine = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0017")
    with pytest.raises(InvalidRequest, match="not supported"):
        await adapter.modify_reservation(
            PROPERTY, mine.reference, ReservationChange(occupancy=Occupancy(adults=1))
        )


@pytest.mark.parametrize("reference", ["123", "abc"])
async def test_unknown_reference_raises_not_found(adapter: QloAppsAdapter, reference: str) -> None:
    with pytest.raises(ReservationNotFound):
        await adapter.get_reservation(PROPERTY, reference)
    with pytest.raises(ReservationNotFound):
        await adapter.cancel_reservation(PROPERTY, reference)


async def test_booking_of_another_hotel_is_not_found(
    adapter: QloAppsAdapter, state: QloAppsFakeState, clock: Clock
) -> None:
    created = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0018")
    other_hotel = QloAppsAdapter(
        BASE,
        state.api_key,
        "4",
        transport=httpx.ASGITransport(app=create_qloapps_fake(state)),
        now=clock,
    )
    with pytest.raises(ReservationNotFound):
        await other_hotel.get_reservation(PROPERTY, created.reference)


async def test_a_guest_with_a_booking_at_another_hotel_of_the_install_can_book(
    adapter: QloAppsAdapter, state: QloAppsFakeState
) -> None:
    elsewhere = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-19")
    state.orders[int(elsewhere.reference)]["id_hotel"] = 4  # the same e-mail, another hotel

    later = booking(check_in=dt.date(2026, 8, 3), check_out=dt.date(2026, 8, 5))
    created = await adapter.create_reservation(PROPERTY, later, idempotency_key="ql-key-20")
    assert created.reference != elsewhere.reference
    assert created.check_in == dt.date(2026, 8, 3)


def test_create_adapter_reads_settings_and_secret() -> None:
    config = AdapterConfig(
        property=PROPERTY,
        settings={"base_url": BASE, "hotel_id": "3", "non_refundable": "base-12, base-13"},
        secrets={"api_key": "K" * 32},
    )
    adapter = create_adapter(config)
    assert adapter._cancellation == SettingsPolicy(non_refundable=frozenset({"base-12", "base-13"}))
    assert adapter._cancellation.for_plan("base-11").refundable is True
    assert adapter._cancellation.for_plan("base-13").refundable is False


@pytest.mark.parametrize(
    ("settings", "secrets"),
    [
        ({"base_url": BASE, "hotel_id": "3"}, {}),
        ({"base_url": BASE}, {"api_key": "K" * 32}),
        ({"base_url": BASE, "hotel_id": "three"}, {"api_key": "K" * 32}),
        ({"hotel_id": "3"}, {"api_key": "K" * 32}),
    ],
    ids=["no-key", "no-hotel", "hotel-not-a-number", "no-url"],
)
def test_misconfigured_property_is_unavailable(
    settings: dict[str, str], secrets: dict[str, str]
) -> None:
    refuses_to_build(
        create_adapter, AdapterConfig(property=PROPERTY, settings=settings, secrets=secrets)
    )


async def test_the_service_serves_a_qloapps_property_with_its_secret(
    runtime: PmsRuntime, state: QloAppsFakeState
) -> None:
    """`pms_adapter = "qloapps"` picks this adapter, keyed by the slug's `api_key` credential."""
    credentials = {PROPERTY.slug: {"api_key": SecretStr(state.api_key)}}
    runtime.settings = runtime.settings.model_copy(update={"credentials": credentials})
    runtime.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_qloapps_fake(state)))
    hotel = PROPERTY.model_copy(update={"pms_settings": {"base_url": BASE, "hotel_id": "3"}})
    try:
        result = await service.availability(runtime, hotel, THU, SUN, Occupancy(adults=2))
    finally:
        await runtime.http.aclose()
    assert isinstance(service.adapter_for(runtime, hotel), QloAppsAdapter)
    assert [o.total for o in result.offers] == [Decimal("341.00"), Decimal("704.00")]
    assert service.guest_email_required("qloapps", {})
