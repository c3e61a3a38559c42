"""Contract tests: the real Mews adapter (httpx) against the local Connector API fake."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from hotelbot.pms.adapters import mews_mapping
from hotelbot.pms.adapters.base import AdapterConfig, PmsAdapter
from hotelbot.pms.adapters.mews import MewsAdapter, create_adapter
from hotelbot.pms.adapters.vendor_errors import VendorMisconfigured
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    PmsUnavailable,
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
from tests.pms.adapters.contract import (
    VENDOR_DOWN,
    booking_request,
    raises_exactly,
    raises_misconfigured,
    raises_retryable_unavailable,
    refuses_to_build,
    start_clock,
)
from tests.pms.conftest import Clock
from tests.pms.fakes.mews import MewsFakeState, create_mews_fake, default_state
from tests.pms.fakes.transport import LoseAnswer, raising_transport

BASE = "https://mews.test"
PROPERTY = Property(
    id=uuid.UUID("5b0f8a52-4c1e-4e4b-9a51-0c7d2f1e9a10"),
    slug="quinta-azul",
    name="Quinta Azul",
    timezone="Europe/Madrid",
    pms_adapter="mews",
)
THU = dt.date(2026, 4, 9)
SUN = dt.date(2026, 4, 12)
START = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
GUEST = GuestDetails(first_name="Ines", last_name="Varela", email="ines.varela@example.org")


@pytest.fixture
def state() -> MewsFakeState:
    return default_state()


@pytest.fixture
def clock(state: MewsFakeState) -> Clock:
    return start_clock(state, START)


def make_adapter(
    state: MewsFakeState, clock: Clock, transport: httpx.AsyncBaseTransport | None = None
) -> MewsAdapter:
    return MewsAdapter(
        BASE,
        state.client_token,
        state.access_token,
        "hotelbot-tests 1.0",
        transport=transport or httpx.ASGITransport(app=create_mews_fake(state)),
        now=clock,
        property_id=str(PROPERTY.id),
    )


@pytest.fixture
def adapter(state: MewsFakeState, clock: Clock) -> MewsAdapter:
    return make_adapter(state, clock)


def codes(state: MewsFakeState) -> tuple[str, str, str, str]:
    double, suite = (c.id for c in state.categories)
    flex, saver = (r.id for r in state.rates)
    return double, suite, flex, saver


def booking(state: MewsFakeState, **overrides: object) -> ReservationCreate:
    double, _, flex, _ = codes(state)
    stay = {"check_in": THU, "check_out": SUN, "occupancy": Occupancy(adults=2), "guest": GUEST}
    return booking_request(stay | {"room_type_code": double, "rate_plan_code": flex}, overrides)


def test_adapter_satisfies_the_protocol(adapter: MewsAdapter) -> None:
    assert isinstance(adapter, PmsAdapter)


async def test_availability_prices_every_night_cheapest_first(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    double, suite, flex, saver = codes(state)
    result = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=2))

    assert result.currency == "EUR"
    assert [(o.room_type_code, o.rate_plan_code) for o in result.offers] == [
        (double, saver),
        (double, flex),
        (suite, saver),
        (suite, flex),
    ]
    flexible = result.offers[1]
    assert [(n.date, n.amount) for n in flexible.nights] == [
        (THU, Decimal("110.00")),
        (dt.date(2026, 4, 10), Decimal("130.00")),
        (dt.date(2026, 4, 11), Decimal("130.00")),
    ]
    assert flexible.total == Decimal("370.00")
    assert flexible.available_rooms == 3
    assert flexible.taxes[0].included is True
    assert flexible.taxes[0].amount == Decimal("33.64")
    assert result.offers[0].total == Decimal("314.50")
    assert result.offers[0].refundable is False


async def test_availability_leaves_out_rooms_too_small_or_sold_out(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    _, suite, _, _ = codes(state)
    four = await adapter.availability(PROPERTY, THU, SUN, Occupancy(adults=4))
    assert {o.room_type_code for o in four.offers} == {suite}

    await adapter.create_reservation(
        PROPERTY,
        booking(state, room_type_code=suite, occupancy=Occupancy(adults=3)),
        idempotency_key="key-suite-0001",
    )
    after = await adapter.availability(PROPERTY, dt.date(2026, 4, 11), SUN, Occupancy(adults=4))
    assert after.offers == []


async def test_quote_carries_policy_deadline_and_expiry(
    adapter: MewsAdapter, state: MewsFakeState, clock: Clock
) -> None:
    double, _, flex, _ = codes(state)
    request = QuoteRequest(check_in=THU, check_out=SUN, room_type_code=double, rate_plan_code=flex)
    quote = await adapter.quote(PROPERTY, request)
    assert quote.total == Decimal("370.00")
    assert quote.cancellation_policy.deadline_days_before == 2
    # 15:00 in Madrid (UTC+2 in April), two days before arrival.
    assert quote.free_cancellation_until == dt.datetime(2026, 4, 7, 13, 0, tzinfo=dt.UTC)
    assert quote.expires_at > clock.now


async def test_create_get_cancel_round_trip(adapter: MewsAdapter, state: MewsFakeState) -> None:
    created = await adapter.create_reservation(
        PROPERTY, booking(state, expected_total=Decimal("370.00")), idempotency_key="key-0001"
    )
    assert created.status is ReservationStatus.CONFIRMED
    assert (created.check_in, created.check_out) == (THU, SUN)
    assert created.guest.email == GUEST.email
    assert created.total == Decimal("370.00")
    stored = state.reservations[created.reference]
    assert stored["StartUtc"] == "2026-04-09T13:00:00Z"
    assert stored["EndUtc"] == "2026-04-12T09:00:00Z"

    fetched = await adapter.get_reservation(PROPERTY, created.reference)
    assert fetched == created

    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == Decimal("0.00")
    assert state.reservations[created.reference]["State"] == "Canceled"
    again = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert again.fee == cancelled.fee
    assert state.calls.count("reservations/cancel") == 1
    assert (await adapter.get_reservation(PROPERTY, created.reference)).status is (
        ReservationStatus.CANCELLED
    )


async def test_create_twice_with_one_key_books_once(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    first = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0002")
    second = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0002")
    assert first.reference == second.reference
    assert state.calls.count("reservations/add") == 1
    assert len(state.customers) == 1


async def test_retry_after_a_lost_answer_books_once(state: MewsFakeState, clock: Clock) -> None:
    lossy = LoseAnswer(
        httpx.ASGITransport(app=create_mews_fake(state)),
        lambda request: request.url.path.endswith("reservations/add"),
    )
    adapter = make_adapter(state, clock, lossy)
    await raises_retryable_unavailable(
        adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0003")
    )

    retried = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0003")
    assert list(state.reservations) == [retried.reference]
    assert state.calls.count("reservations/add") == 1


async def test_existing_customer_is_reused_by_email(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0004")
    second = booking(state, check_in=dt.date(2026, 5, 4), check_out=dt.date(2026, 5, 6))
    await adapter.create_reservation(PROPERTY, second, idempotency_key="key-0005")
    assert len(state.customers) == 1

    mine = await adapter.list_reservations(PROPERTY, GuestContact(email=GUEST.email))
    assert [r.check_in for r in mine] == [dt.date(2026, 5, 4), THU]
    assert await adapter.list_reservations(PROPERTY, GuestContact(phone="+34600111222")) == []


async def test_create_refuses_a_moved_price(adapter: MewsAdapter, state: MewsFakeState) -> None:
    with pytest.raises(RateChanged):
        await adapter.create_reservation(
            PROPERTY, booking(state, expected_total=Decimal("300.00")), idempotency_key="key-0006"
        )
    assert "reservations/add" not in state.calls


async def test_create_on_a_sold_out_night_raises_room_unavailable(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    state.categories[0].units = 0
    with pytest.raises(RoomUnavailable):
        await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0007")


async def test_mews_refusing_the_booking_raises_room_unavailable(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    state.fail_next(403, "The requested category is not available.", operation="reservations/add")
    with pytest.raises(RoomUnavailable):
        await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="key-0008")


async def test_cancel_after_the_deadline_charges_the_first_night(
    adapter: MewsAdapter, state: MewsFakeState, clock: Clock
) -> None:
    created = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="k-0009")
    clock.now = dt.datetime(2026, 4, 8, 8, 0, tzinfo=dt.UTC)
    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == Decimal("110.00")


async def test_non_refundable_cancel_charges_everything(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    _, _, _, saver = codes(state)
    created = await adapter.create_reservation(
        PROPERTY, booking(state, rate_plan_code=saver), idempotency_key="key-0010"
    )
    cancelled = await adapter.cancel_reservation(PROPERTY, created.reference)
    assert cancelled.fee == created.total == Decimal("314.50")


async def test_modify_moves_the_stay(adapter: MewsAdapter, state: MewsFakeState) -> None:
    created = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="k-0011")
    moved = await adapter.modify_reservation(
        PROPERTY,
        created.reference,
        ReservationChange(check_out=dt.date(2026, 4, 13), occupancy=Occupancy(adults=1)),
    )
    assert moved.check_out == dt.date(2026, 4, 13)
    assert moved.occupancy.adults == 1
    assert moved.total == Decimal("480.00")


async def test_modify_onto_sold_out_nights_keeps_the_old_stay(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    _, suite, _, _ = codes(state)
    mine = await adapter.create_reservation(
        PROPERTY, booking(state, room_type_code=suite), idempotency_key="key-0012"
    )
    other = GuestDetails(first_name="Rui", last_name="Sal", email="rui.sal@example.org")
    later = {"check_in": SUN, "check_out": dt.date(2026, 4, 14), "guest": other}
    await adapter.create_reservation(
        PROPERTY, booking(state, room_type_code=suite, **later), idempotency_key="key-0013"
    )
    with pytest.raises(RoomUnavailable):
        await adapter.modify_reservation(
            PROPERTY, mine.reference, ReservationChange(check_out=dt.date(2026, 4, 13))
        )
    assert (await adapter.get_reservation(PROPERTY, mine.reference)).check_out == SUN


@pytest.mark.parametrize("reference", ["NOT-A-UUID", str(uuid.uuid4())])
async def test_unknown_reference_raises_not_found(adapter: MewsAdapter, reference: str) -> None:
    with pytest.raises(ReservationNotFound):
        await adapter.get_reservation(PROPERTY, reference)


async def test_cancel_unknown_reservation_maps_mews_400(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    state.fail_next(400, "Invalid ReservationIds.", operation="reservations/getAll/2023-06-06")
    with pytest.raises(ReservationNotFound):
        await adapter.cancel_reservation(PROPERTY, str(uuid.uuid4()))


@pytest.mark.parametrize(
    ("status", "message", "error", "retryable"),
    [
        (400, "Invalid Limitation.", InvalidRequest, False),
        (401, "Invalid AccessToken.", VendorMisconfigured, False),
        (403, "The rate is not applicable.", InvalidRequest, False),
        (403, "The category is not available.", RoomUnavailable, False),
        (404, "Not found.", PmsError, False),
        (408, "Request timeout.", PmsUnavailable, True),
        (409, "Data has changed.", PmsError, True),
        (429, "Too many requests.", PmsUnavailable, True),
        (500, "Unexpected error.", PmsUnavailable, True),
        (503, "Service unavailable.", PmsUnavailable, True),
    ],
)
async def test_documented_errors_map_to_typed_errors(
    adapter: MewsAdapter,
    state: MewsFakeState,
    status: int,
    message: str,
    error: type[PmsError],
    retryable: bool,
) -> None:
    state.fail_next(status, message, retry_after="7" if status == 429 else None)
    raised = await raises_exactly(adapter.list_room_types(PROPERTY), error, retryable=retryable)
    assert message not in str(raised)


async def test_wrong_tokens_are_unavailable_not_the_callers_fault(
    state: MewsFakeState, clock: Clock
) -> None:
    token, adapter = state.access_token, make_adapter(state, clock)
    state.access_token = "rotated-token"
    await raises_misconfigured(
        adapter.list_rate_plans(PROPERTY), adapter="mews", property=PROPERTY, secret=token
    )


@pytest.mark.parametrize("missing", ["client_token", "access_token"])
def test_missing_tokens_are_unavailable(missing: str) -> None:
    secrets = {"client_token": "C" * 20, "access_token": "A" * 20, missing: ""}
    error = refuses_to_build(create_adapter, AdapterConfig(property=PROPERTY, secrets=secrets))
    assert missing in str(error)


@VENDOR_DOWN
async def test_vendor_down_raises_retryable_unavailable(
    state: MewsFakeState, clock: Clock, failure: httpx.HTTPError
) -> None:
    adapter = make_adapter(state, clock, raising_transport(failure))
    await raises_retryable_unavailable(adapter.availability(PROPERTY, THU, SUN, Occupancy()))


async def test_html_error_page_counts_as_unavailable(state: MewsFakeState, clock: Clock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>gateway</html>")

    adapter = make_adapter(state, clock, httpx.MockTransport(handler))
    with pytest.raises(PmsUnavailable):
        await adapter.list_room_types(PROPERTY)


RECORDED = sorted((Path(__file__).parents[2] / "data" / "pms" / "mews").glob("*.json"))


def _keys(value: object) -> object:
    """The shape of a JSON value: keys of objects, the first item of lists."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_keys(value[0])] if value else []
    return type(value).__name__ if value is not None else None


@pytest.mark.parametrize("path", RECORDED, ids=[p.stem for p in RECORDED])
def test_recorded_pairs_are_in_the_connector_shape(path: Path) -> None:
    pair = json.loads(path.read_text())
    assert {"ClientToken", "AccessToken", "Client"} <= set(pair["request"])
    if pair["status"] == 200:
        assert isinstance(pair["response"], dict) and pair["response"]
    else:
        assert set(pair["response"]) == {"Message", "RequestId", "Details"}


async def test_error_answers_keep_the_documented_body(
    adapter: MewsAdapter, state: MewsFakeState
) -> None:
    recorded = json.loads((RECORDED[0].parent / "error_403_cancel_twice.json").read_text())
    created = await adapter.create_reservation(PROPERTY, booking(state), idempotency_key="k-0020")
    await adapter.cancel_reservation(PROPERTY, created.reference)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_mews_fake(state))) as c:
        body = {**recorded["request"], "ReservationIds": [created.reference]}
        body.update(ClientToken=state.client_token, AccessToken=state.access_token)
        answer = await c.post(f"{BASE}/api/connector/v1/reservations/cancel", json=body)
    assert answer.status_code == recorded["status"] == 403
    assert _keys(answer.json()) == _keys(recorded["response"])


def test_room_names_come_in_every_language_mews_keeps() -> None:
    category = {
        "Id": "cat-1",
        "Names": {"en-US": "Deluxe Room", "es-ES": "Habitación de lujo", "pt-BR": "Quarto luxo",
                  "pt-PT": "Quarto de luxo", "de-DE": ""},
        "Capacity": 2,
    }  # fmt: skip
    room = mews_mapping.room_type(category)
    assert room.name == "Deluxe Room"
    assert {(n.language, n.text) for n in room.names} == {
        ("en", "Deluxe Room"),
        ("es", "Habitación de lujo"),
        ("pt", "Quarto luxo"),
    }
