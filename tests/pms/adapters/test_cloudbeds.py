"""Contract tests: the real Cloudbeds adapter (httpx) against the local PMS API v1.3 fake."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.db import session_scope
from hotelbot.pms.adapters.base import AdapterConfig, PmsAdapter
from hotelbot.pms.adapters.builtin.models import PmsProperty
from hotelbot.pms.adapters.cloudbeds import CloudbedsAdapter, create_adapter
from hotelbot.pms.adapters.settings_policy import SettingsPolicy
from hotelbot.pms.adapters.vendor_errors import VendorMisconfigured
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    RateChanged,
    ReservationNotFound,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    GuestContact,
    GuestDetails,
    Occupancy,
    Property,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
)
from hotelbot.pms.service import PmsRuntime
from tests.pms.adapters.contract import (
    COMMON_STATUSES,
    VENDOR_DOWN,
    booking_request,
    raises_exactly,
    raises_misconfigured,
    raises_retryable_unavailable,
    refuses_to_build,
    start_clock,
)
from tests.pms.conftest import TODAY, Clock
from tests.pms.fakes.cloudbeds import CloudbedsFakeState, create_cloudbeds_fake, default_state
from tests.pms.fakes.transport import raising_transport

BASE = "https://cloudbeds.test/api/v1.3"
PROPERTY = Property(
    id=uuid.UUID("1d7e3c2a-8f4b-4d0e-a6c1-5b9e2f7a3c40"),
    slug="casa-lobo",
    name="Casa Lobo",
    timezone="America/Mexico_City",
    currency="USD",
    pms_adapter="cloudbeds",
)
MON = dt.date(2026, 7, 6)
THU = dt.date(2026, 7, 9)
SUN = dt.date(2026, 7, 12)
START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
GUEST = GuestDetails(first_name="Lupe", last_name="Ortega", email="lupe.ortega@example.net")
STAY = {
    "check_in": THU,
    "check_out": SUN,
    "occupancy": Occupancy(adults=2),
    "room_type_code": "55101",
    "rate_plan_code": "7301",
    "guest": GUEST,
}


@pytest.fixture
def state() -> CloudbedsFakeState:
    return default_state()


@pytest.fixture
def clock(state: CloudbedsFakeState) -> Clock:
    return start_clock(state, START)


def make_adapter(
    state: CloudbedsFakeState,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CloudbedsAdapter:
    return CloudbedsAdapter(
        BASE,
        state.api_key,
        state.property_id,
        transport=transport or httpx.ASGITransport(app=create_cloudbeds_fake(state)),
        cancellation=SettingsPolicy(non_refundable=frozenset({"7302"})),
        now=clock,
        property_id=str(PROPERTY.id),
    )


@pytest.fixture
def adapter(state: CloudbedsFakeState, clock: Clock) -> CloudbedsAdapter:
    return make_adapter(state, clock)


def booking(**overrides: object) -> ReservationCreate:
    return booking_request(STAY, overrides)


def test_adapter_satisfies_the_protocol(adapter: CloudbedsAdapter) -> None:
    assert isinstance(adapter, PmsAdapter)


async def test_availability_prices_every_night_cheapest_first(adapter: CloudbedsAdapter) -> None:
    result = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))
    assert [(o.room_type_code, o.rate_plan_code) for o in result.offers] == [
        ("55101", "7302"),
        ("55101", "7301"),
        ("55102", "7302"),
        ("55102", "7301"),
    ]
    best = result.offers[1]
    assert [(n.date, n.amount) for n in best.nights] == [
        (THU, Decimal("140.00")),
        (dt.date(2026, 7, 10), Decimal("165.00")),
        (dt.date(2026, 7, 11), Decimal("165.00")),
    ]
    assert best.total == Decimal("470.00")
    assert best.currency == "USD"
    assert result.offers[0].refundable is False


async def test_availability_for_two_rooms_doubles_prices_and_drops_single_units(
    adapter: CloudbedsAdapter,
) -> None:
    result = await adapter.availability(PROPERTY, MON, THU, Occupancy(adults=4, rooms=2))
    assert {o.room_type_code for o in result.offers} == {"55101"}
    assert result.offers[-1].nights[0].amount == Decimal("280.00")


async def test_create_get_cancel_round_trip(
    adapter: CloudbedsAdapter, state: CloudbedsFakeState
) -> None:
    created = await adapter.create_reservation(
        PROPERTY, booking(expected_total=Decimal("470.00")), idempotency_key="cb-key-0001"
    )
    assert created.status is ReservationStatus.CONFIRMED
    assert created.total == Decimal("470.00")
    assert created.rate_plan_code == "7301"
    assert created.guest.email == GUEST.email
    assert await adapter.get_reservation(PROPERTY, created.reference) == created

    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == Decimal("0.00")
    assert state.reservations[created.reference]["status"] == "canceled"
    again = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert again.fee == cancelled.fee
    assert state.calls.count("putReservation") == 1


async def test_create_twice_with_one_key_posts_once(
    adapter: CloudbedsAdapter, state: CloudbedsFakeState
) -> None:
    first = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="cb-key-0002")
    second = await adapter.create_reservation(PROPERTY, booking(), idempotency_key="cb-key-0002")
    assert first.reference == second.reference
    assert state.calls.count("postReservation") == 1


async def test_two_room_booking_is_one_reservation(adapter: CloudbedsAdapter) -> None:
    created = await adapter.create_reservation(
        PROPERTY,
        booking(occupancy=Occupancy(adults=2, children_ages=[6], rooms=2)),
        idempotency_key="cb-key-0003",
    )
    assert created.occupancy.rooms == 2
    assert (created.occupancy.adults, created.occupancy.children) == (2, 1)
    assert created.total == Decimal("940.00")


async def test_guest_lookup_by_email_and_phone(adapter: CloudbedsAdapter) -> None:
    guest = GuestDetails(
        first_name="Lupe", last_name="Ortega", email=GUEST.email, phone="+525512345678"
    )
    await adapter.create_reservation(PROPERTY, booking(guest=guest), idempotency_key="cb-key-0004")
    later = booking(guest=guest, check_in=dt.date(2026, 8, 3), check_out=dt.date(2026, 8, 5))
    await adapter.create_reservation(PROPERTY, later, idempotency_key="cb-key-0005")

    by_email = await adapter.list_reservations(PROPERTY, GuestContact(email=GUEST.email))
    assert [r.check_in for r in by_email] == [dt.date(2026, 8, 3), THU]
    by_phone = await adapter.list_reservations(PROPERTY, GuestContact(phone="+525512345678"))
    assert len(by_phone) == 2
    assert by_phone[0].guest.phone == "+525512345678"
    assert await adapter.list_reservations(PROPERTY, GuestContact(email="x@example.com")) == []


async def test_create_refuses_a_moved_price(
    adapter: CloudbedsAdapter, state: CloudbedsFakeState
) -> None:
    with pytest.raises(RateChanged):
        await adapter.create_reservation(
            PROPERTY, booking(expected_total=Decimal("400.00")), idempotency_key="cb-key-0006"
        )
    assert "postReservation" not in state.calls


async def test_create_without_email_is_invalid(adapter: CloudbedsAdapter) -> None:
    guest = GuestDetails(first_name="Lupe", phone="+525512345678")
    with pytest.raises(InvalidRequest):
        await adapter.create_reservation(PROPERTY, booking(guest=guest), idempotency_key="cb-k-07")


async def test_sold_out_room_raises_room_unavailable(adapter: CloudbedsAdapter) -> None:
    loft = booking(room_type_code="55102")
    await adapter.create_reservation(PROPERTY, loft, idempotency_key="cb-key-0008")
    with pytest.raises(RoomUnavailable):
        await adapter.create_reservation(PROPERTY, loft, idempotency_key="cb-key-0009")


async def test_non_refundable_cancel_charges_everything(adapter: CloudbedsAdapter) -> None:
    created = await adapter.create_reservation(
        PROPERTY, booking(rate_plan_code="7302"), idempotency_key="cb-key-0010"
    )
    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == created.total == Decimal("423.00")


async def test_modify_moves_dates_and_refuses_sold_out_nights(
    adapter: CloudbedsAdapter,
) -> None:
    mine = await adapter.create_reservation(
        PROPERTY, booking(room_type_code="55102"), idempotency_key="cb-key-0011"
    )
    moved = await adapter.modify_reservation(
        PROPERTY, mine.reference, ReservationChange(check_out=dt.date(2026, 7, 13))
    )
    assert moved.check_out == dt.date(2026, 7, 13)
    assert moved.total == Decimal("1090.00")

    other = GuestDetails(first_name="Beto", last_name="Ruiz", email="beto.ruiz@example.net")
    await adapter.create_reservation(
        PROPERTY,
        booking(
            room_type_code="55102",
            check_in=dt.date(2026, 7, 13),
            check_out=dt.date(2026, 7, 15),
            guest=other,
        ),
        idempotency_key="cb-key-0012",
    )
    with pytest.raises(RoomUnavailable):
        await adapter.modify_reservation(
            PROPERTY, mine.reference, ReservationChange(check_out=dt.date(2026, 7, 14))
        )
    assert (await adapter.get_reservation(PROPERTY, mine.reference)).check_out == dt.date(
        2026, 7, 13
    )


async def test_unknown_reference_raises_not_found(adapter: CloudbedsAdapter) -> None:
    with pytest.raises(ReservationNotFound):
        await adapter.get_reservation(PROPERTY, "123")


@pytest.mark.parametrize(
    ("status", "error", "retryable"), [*COMMON_STATUSES, (403, VendorMisconfigured, False)]
)
async def test_http_errors_map_to_typed_errors(
    adapter: CloudbedsAdapter,
    state: CloudbedsFakeState,
    status: int,
    error: type[PmsError],
    retryable: bool,
) -> None:
    state.fail_next(status)
    await raises_exactly(adapter.list_room_types(PROPERTY), error, retryable=retryable)


async def test_bad_api_key_is_unavailable_not_the_callers_fault(
    state: CloudbedsFakeState, clock: Clock
) -> None:
    key, adapter = state.api_key, make_adapter(state, clock)
    state.api_key = "cbat_rotated"
    await raises_misconfigured(
        adapter.list_room_types(PROPERTY), adapter="cloudbeds", property=PROPERTY, secret=key
    )


async def test_a_key_without_the_property_is_unavailable(
    state: CloudbedsFakeState, clock: Clock
) -> None:
    adapter = CloudbedsAdapter(
        BASE,
        state.api_key,
        "999999",
        transport=httpx.ASGITransport(app=create_cloudbeds_fake(state)),
        now=clock,
        property_id=str(PROPERTY.id),
    )
    await raises_misconfigured(
        adapter.get_reservation(PROPERTY, "990002"),
        adapter="cloudbeds",
        property=PROPERTY,
        secret=state.api_key,
    )


@pytest.mark.parametrize(
    ("settings", "secrets"),
    [({"property_id": "418207"}, {}), ({}, {"api_key": "cbat_key"})],
    ids=["no-key", "no-property"],
)
def test_misconfigured_property_is_unavailable(
    settings: dict[str, str], secrets: dict[str, str]
) -> None:
    refuses_to_build(
        create_adapter, AdapterConfig(property=PROPERTY, settings=settings, secrets=secrets)
    )


async def test_the_service_answers_a_refused_key_with_503_not_401(
    runtime: PmsRuntime,
    pms_http: httpx.AsyncClient,
    pms_sessionmaker: async_sessionmaker[AsyncSession],
    state: CloudbedsFakeState,
) -> None:
    """Our caller's token is fine: the hotel's Cloudbeds key is the operator's to fix."""
    async with session_scope(pms_sessionmaker) as session:
        await session.execute(
            update(PmsProperty).values(
                pms_adapter="cloudbeds", pms_settings={"property_id": state.property_id}
            )
        )
    property = (await pms_http.get("/pms/v1/properties")).json()[0]
    credentials = {property["slug"]: {"api_key": SecretStr("cbat_revoked")}}
    runtime.settings = runtime.settings.model_copy(update={"credentials": credentials})
    runtime.http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_cloudbeds_fake(state))
    )
    try:
        stay = {"check_in": TODAY + dt.timedelta(days=3), "check_out": TODAY + dt.timedelta(days=5)}
        answer = await pms_http.get(
            f"/pms/v1/properties/{property['slug']}/availability", params=stay
        )
    finally:
        await runtime.http.aclose()
    assert answer.status_code == 503
    assert answer.json()["error"] == "pms_unavailable"
    assert "WWW-Authenticate" not in answer.headers
    assert "cbat_revoked" not in answer.text


@VENDOR_DOWN
async def test_vendor_down_raises_retryable_unavailable(
    state: CloudbedsFakeState, clock: Clock, failure: httpx.HTTPError
) -> None:
    adapter = make_adapter(state, clock, raising_transport(failure))
    await raises_retryable_unavailable(adapter.availability(PROPERTY, THU, SUN, Occupancy()))


RECORDED = sorted((Path(__file__).parents[2] / "data" / "pms" / "cloudbeds").glob("*.json"))


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
async def test_fake_answers_recorded_requests_in_the_recorded_shape(
    state: CloudbedsFakeState, clock: Clock, path: Path
) -> None:
    """Replays every recorded pair, in order of the booking's life, against a fresh fake."""
    pair = json.loads(path.read_text())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_cloudbeds_fake(state)), base_url=BASE
    ) as client:
        if "reservationID" in pair["request"] and "postReservation" not in path.stem:
            post = json.loads((path.parent / "postReservation.json").read_text())
            await client.post("/postReservation", data=post["request"], headers=_auth(state))
            if "cancel_twice" in path.stem:
                await client.put("/putReservation", data=pair["request"], headers=_auth(state))
        headers = {} if "401" in path.stem else _auth(state)
        kwargs = {"params": pair["request"]} if pair["method"] == "GET" else {}
        if pair["method"] != "GET":
            kwargs = {"data": pair["request"]}
        answer = await client.request(pair["method"], pair["endpoint"], headers=headers, **kwargs)
    assert answer.status_code == pair["status"]
    assert set(answer.json()) == set(pair["response"])


def _auth(state: CloudbedsFakeState) -> dict[str, str]:
    return {"x-api-key": state.api_key}
