"""What the vendor adapter contract tests share: a clock tied to a fake, a booking builder, and
the checks every vendor adapter must pass the same way (typed errors, a dead vendor, a refused
key)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

import httpx
import pytest
import structlog

from hotelbot.pms.adapters.base import AdapterConfig, AdapterFactory
from hotelbot.pms.adapters.vendor_errors import VendorMisconfigured
from hotelbot.pms.errors import InvalidRequest, PmsError, PmsUnavailable
from hotelbot.pms.schemas import Property, ReservationCreate
from tests.pms.conftest import Clock

#: HTTP statuses every vendor adapter maps alike: (status, error class, retryable).
COMMON_STATUSES = [
    (400, InvalidRequest, False),
    (404, PmsError, False),
    (429, PmsUnavailable, True),
    (500, PmsUnavailable, True),
    (503, PmsUnavailable, True),
]

#: A vendor that cannot be reached, or does not answer in time.
VENDOR_DOWN = pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")], ids=["down", "timeout"]
)


class FakeState(Protocol):
    now: Callable[[], dt.datetime]


def start_clock(state: FakeState, start: dt.datetime) -> Clock:
    """One settable clock for the adapter and its fake (which stamps bookings with it)."""
    clock = Clock(start)
    state.now = clock
    return clock


def booking_request(
    defaults: Mapping[str, object], overrides: Mapping[str, object]
) -> ReservationCreate:
    return ReservationCreate.model_validate({**defaults, **overrides})


async def raises_exactly(
    call: Awaitable[object], error: type[PmsError], *, retryable: bool
) -> PmsError:
    """The error `call` raises, checked to be exactly `error` with this `retryable` flag."""
    with pytest.raises(error) as raised:
        await call
    assert type(raised.value) is error
    assert raised.value.retryable is retryable
    return raised.value


async def raises_retryable_unavailable(call: Awaitable[object]) -> None:
    with pytest.raises(PmsUnavailable) as raised:
        await call
    assert raised.value.retryable is True


async def raises_misconfigured(
    call: Awaitable[object], *, adapter: str, property: Property, secret: str
) -> None:
    """The vendor refused the hotel's key: a 503 no retry cures (never a 401 that blames our
    caller's token), logged with the adapter and our property id and never with the key."""
    with structlog.testing.capture_logs() as logs, pytest.raises(VendorMisconfigured) as raised:
        await call
    error = raised.value
    assert (error.status_code, error.code, error.retryable) == (503, "pms_unavailable", False)
    logged = [e for e in logs if e["event"] == "pms.vendor.misconfigured"]
    assert [(e["adapter"], e["property_id"]) for e in logged] == [(adapter, str(property.id))]
    assert secret not in str(error)
    assert secret not in repr(logs)


def refuses_to_build(create_adapter: AdapterFactory, config: AdapterConfig) -> VendorMisconfigured:
    """A property whose vendor secrets or settings are missing: a 503 no retry cures."""
    with pytest.raises(VendorMisconfigured) as raised:
        create_adapter(config)
    assert (raised.value.status_code, raised.value.retryable) == (503, False)
    return raised.value
