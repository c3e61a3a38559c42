"""Contract tests: how the QloApps adapter fails (vendor errors, a refused key, a dead
webservice), always with our typed errors and never with guest data in the message."""

from __future__ import annotations

import httpx
import pytest

from hotelbot.pms.adapters.qloapps import QloAppsAdapter
from hotelbot.pms.adapters.vendor_errors import VendorMisconfigured
from hotelbot.pms.errors import InvalidRequest, PmsError, PmsUnavailable, RoomUnavailable
from hotelbot.pms.schemas import Occupancy
from tests.pms.adapters.contract import (
    COMMON_STATUSES,
    VENDOR_DOWN,
    raises_exactly,
    raises_misconfigured,
    raises_retryable_unavailable,
)
from tests.pms.adapters.test_qloapps import (
    PROPERTY,
    SUN,
    THU,
    adapter,
    booking,
    clock,
    make_adapter,
    state,
)
from tests.pms.conftest import Clock
from tests.pms.fakes.qloapps import QloAppsFakeState, create_qloapps_fake
from tests.pms.fakes.transport import raising_transport

__all__ = ["adapter", "clock", "state"]  # fixtures shared with the main contract tests


@pytest.mark.parametrize(
    ("status", "error", "retryable"),
    [*COMMON_STATUSES, (401, VendorMisconfigured, False), (403, VendorMisconfigured, False)],
)
async def test_http_errors_map_to_typed_errors(
    adapter: QloAppsAdapter,
    state: QloAppsFakeState,
    status: int,
    error: type[PmsError],
    retryable: bool,
) -> None:
    state.fail_next(status)
    await raises_exactly(adapter.list_room_types(PROPERTY), error, retryable=retryable)


async def test_bad_key_is_unavailable_not_the_callers_fault(
    state: QloAppsFakeState, clock: Clock
) -> None:
    key, adapter = state.api_key, make_adapter(state, clock)
    state.api_key = "ROTATEDKEY0000000000000000000000"
    await raises_misconfigured(
        adapter.availability(PROPERTY, THU, SUN, Occupancy()),
        adapter="qloapps",
        property=PROPERTY,
        secret=key,
    )


@VENDOR_DOWN
async def test_vendor_down_raises_retryable_unavailable(
    state: QloAppsFakeState, clock: Clock, failure: httpx.HTTPError
) -> None:
    adapter = make_adapter(state, clock, raising_transport(failure))
    await raises_retryable_unavailable(adapter.availability(PROPERTY, THU, SUN, Occupancy()))


async def test_an_xml_answer_counts_as_unavailable(state: QloAppsFakeState, clock: Clock) -> None:
    def xml_only(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<qloapps/>", headers={"Content-Type": "text/xml"})

    adapter = make_adapter(state, clock, httpx.MockTransport(xml_only))
    with pytest.raises(PmsUnavailable):
        await adapter.list_room_types(PROPERTY)


class EchoingRefusal(httpx.AsyncBaseTransport):
    """Answers `POST bookings` with a 400 whose text quotes the guest, as QloApps' can."""

    def __init__(self, inner: httpx.AsyncBaseTransport, message: str) -> None:
        self.inner = inner
        self.message = message

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/bookings"):
            return httpx.Response(400, json={"errors": [{"code": 404, "message": self.message}]})
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("Requested room(s) not available. Inês Moura ines.moura@example.net", RoomUnavailable),
        ("Invalid address provided: Inês Moura, +351912345678", InvalidRequest),
    ],
)
async def test_errors_never_carry_guest_data(
    state: QloAppsFakeState, clock: Clock, message: str, error: type[PmsError]
) -> None:
    echoing = EchoingRefusal(httpx.ASGITransport(app=create_qloapps_fake(state)), message)
    adapter = make_adapter(state, clock, echoing)
    with pytest.raises(error) as raised:
        await adapter.create_reservation(PROPERTY, booking(), idempotency_key="ql-key-0020")
    for secret in ("Inês", "Moura", "ines.moura", "912345678"):
        assert secret not in str(raised.value)
