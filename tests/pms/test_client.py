"""PmsClient against the real PMS app (ASGI), a closed port, and an error table."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from hotelbot.kit.cache import MemoryCache
from hotelbot.pms import errors
from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_SLUG
from hotelbot.pms.client import CircuitBreaker, PmsClient
from hotelbot.pms.schemas import (
    GuestContact,
    GuestDetails,
    Occupancy,
    ReservationCreate,
)
from hotelbot.pms.service import PmsRuntime, get_property
from tests.pms.conftest import TODAY, TOKEN

CHECK_IN = TODAY + dt.timedelta(days=50)
CHECK_OUT = TODAY + dt.timedelta(days=52)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def client(pms_app) -> AsyncIterator[PmsClient]:  # type: ignore[no-untyped-def]
    client = PmsClient(
        "http://pms.test", TOKEN, transport=httpx.ASGITransport(app=pms_app), sleep=no_sleep
    )
    yield client
    await client.aclose()


def _booking(n: int = 0) -> ReservationCreate:
    return ReservationCreate(
        check_in=CHECK_IN,
        check_out=CHECK_OUT,
        occupancy=Occupancy(adults=2),
        room_type_code="FAM-STE",
        rate_plan_code="FLEX-BB",
        guest=GuestDetails(first_name="Rui", phone=f"+35191000000{n}"),
    )


def _free(av, room: str = "FAM-STE") -> int:  # type: ignore[no-untyped-def]
    return next(o.available_rooms for o in av.offers if o.room_type_code == room)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_round_trip_through_the_real_app(client: PmsClient) -> None:
    booked = await client.create_reservation(
        DEMO_PROPERTY_SLUG, _booking(), idempotency_key="client-key-1"
    )
    again = await client.get_reservation(DEMO_PROPERTY_SLUG, booked.reference)
    assert again == booked
    mine = await client.list_reservations(DEMO_PROPERTY_SLUG, GuestContact(phone="+351910000000"))
    assert [r.reference for r in mine] == [booked.reference]
    cancelled = await client.cancel_reservation(DEMO_PROPERTY_SLUG, booked.reference)
    assert cancelled.fee == 0


async def test_typed_errors_come_back_as_the_same_class(client: PmsClient) -> None:
    with pytest.raises(errors.ReservationNotFound):
        await client.get_reservation(DEMO_PROPERTY_SLUG, "NOPE-404")


async def test_availability_is_cached_until_a_booking_through_the_client(
    client: PmsClient, runtime: PmsRuntime
) -> None:
    first = await client.availability(DEMO_PROPERTY_SLUG, CHECK_IN, CHECK_OUT, Occupancy(adults=2))
    # A booking made behind the client's back is not seen while the entry is fresh...
    prop = await get_property(runtime, DEMO_PROPERTY_SLUG)
    await runtime.builtin.create_reservation(prop, _booking(1), idempotency_key="behind-back-1")
    cached = await client.availability(DEMO_PROPERTY_SLUG, CHECK_IN, CHECK_OUT, Occupancy(adults=2))
    assert _free(cached) == _free(first)
    # ...but a booking through the client drops the property's cached availability.
    await client.create_reservation(DEMO_PROPERTY_SLUG, _booking(2), idempotency_key="client-key-2")
    fresh = await client.availability(DEMO_PROPERTY_SLUG, CHECK_IN, CHECK_OUT, Occupancy(adults=2))
    assert _free(fresh) == _free(first) - 2


async def test_cached_availability_expires_after_its_ttl(pms_app, runtime: PmsRuntime) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    client = PmsClient(
        "http://pms.test",
        TOKEN,
        transport=httpx.ASGITransport(app=pms_app),
        cache=MemoryCache(clock=clock),
        cache_ttl_seconds=30,
    )
    first = await client.availability(DEMO_PROPERTY_SLUG, CHECK_IN, CHECK_OUT, Occupancy(adults=2))
    prop = await get_property(runtime, DEMO_PROPERTY_SLUG)
    await runtime.builtin.create_reservation(prop, _booking(3), idempotency_key="behind-back-2")
    clock.now += 31
    later = await client.availability(DEMO_PROPERTY_SLUG, CHECK_IN, CHECK_OUT, Occupancy(adults=2))
    assert _free(later) == _free(first) - 1
    await client.aclose()


async def test_pms_down_is_a_typed_retryable_error() -> None:
    client = PmsClient(
        f"http://127.0.0.1:{closed_port()}", TOKEN, timeout_seconds=2.0, sleep=no_sleep
    )
    with pytest.raises(errors.PmsUnavailable) as caught:
        await client.get_property(DEMO_PROPERTY_SLUG)
    assert caught.value.retryable
    await client.aclose()


async def test_breaker_opens_after_repeated_failures_and_half_opens_after_cooldown() -> None:
    calls: list[str] = []

    def dead(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectError("refused", request=request)

    clock = FakeClock()
    client = PmsClient(
        "http://pms.test",
        TOKEN,
        transport=httpx.MockTransport(dead),
        retries=0,
        breaker=CircuitBreaker(failures=3, cooldown_seconds=30, clock=clock),
    )
    for _ in range(3):
        with pytest.raises(errors.PmsUnavailable):
            await client.get_property(DEMO_PROPERTY_SLUG)
    assert client.breaker.state == "open"
    with pytest.raises(errors.PmsUnavailable):
        await client.get_property(DEMO_PROPERTY_SLUG)
    assert len(calls) == 3  # the open breaker did not touch the network
    clock.now += 31
    assert client.breaker.state == "half_open"
    with pytest.raises(errors.PmsUnavailable):
        await client.get_property(DEMO_PROPERTY_SLUG)
    assert len(calls) == 4 and client.breaker.state == "open"
    await client.aclose()


async def test_reads_are_retried_but_cancel_is_not() -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503, json={"error": "pms_unavailable", "detail": "down"})

    client = PmsClient(
        "http://pms.test", TOKEN, transport=httpx.MockTransport(flaky), retries=2, sleep=no_sleep
    )
    with pytest.raises(errors.PmsUnavailable):
        await client.get_reservation(DEMO_PROPERTY_SLUG, "ABC-1")
    assert calls == ["GET", "GET", "GET"]
    calls.clear()
    with pytest.raises(errors.PmsUnavailable):
        await client.cancel_reservation(DEMO_PROPERTY_SLUG, "ABC-1")
    assert calls == ["POST"]
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (409, "room_unavailable", errors.RoomUnavailable),
        (409, "rate_changed", errors.RateChanged),
        (404, "reservation_not_found", errors.ReservationNotFound),
        (422, "invalid_request", errors.InvalidRequest),
        (401, "pms_unauthorized", errors.PmsAuthError),
        (403, "pms_forbidden", errors.PmsForbidden),
        (500, "internal", errors.PmsUnavailable),
        (502, "", errors.PmsUnavailable),
    ],
)
async def test_error_table(status: int, code: str, expected: type[errors.PmsError]) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": code, "detail": "x"})

    client = PmsClient("http://pms.test", TOKEN, transport=httpx.MockTransport(answer), retries=0)
    with pytest.raises(expected):
        await client.get_reservation(DEMO_PROPERTY_SLUG, "ABC-1")
    await client.aclose()
