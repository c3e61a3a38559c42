"""`PmsAdapter`: what every PMS product adapter implements, and how one is built.

Contract for implementers:
- Every method is async, takes the `Property` (with its non-secret `pms_settings`) first and
  returns `hotelbot.pms.schemas` models; nothing vendor-shaped leaks out.
- Failures raise `hotelbot.pms.errors` classes only: timeouts, connection errors and vendor
  5xx/429 → `PmsUnavailable` (retryable); a sold-out night → `RoomUnavailable`; price moved
  away from `expected_total` → `RateChanged`; unknown reference → `ReservationNotFound`;
  input the vendor rejects → `InvalidRequest`; a vendor refusing the hotel's key, or a missing
  secret or setting → `PmsUnavailable` that is not retryable (`vendor_errors.VendorMisconfigured`),
  never `PmsAuthError`, which is for our own callers' bearer tokens. Messages never carry guest
  data.
- Writes carry an idempotency key: calling `create_reservation` twice with the same key
  returns the same reservation and books once.
- Adapters hold no per-request state; one instance serves many concurrent calls.

A vendor module exposes `create_adapter(config: AdapterConfig) -> PmsAdapter`; the service
layer (`service.adapter_for`) calls it with settings from the property row and secrets from
the environment (`HOTELBOT_PMS__CREDENTIALS`), never from the database in clear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import httpx

import hotelbot.pms.schemas as pms


@dataclass(frozen=True)
class AdapterConfig:
    """What a vendor adapter gets to build itself.

    `settings` are the property's non-secret values (vendor base URL, vendor property/service
    id, rate mapping); `secrets` come from the environment; `http` is a shared client (tests
    pass one with `httpx.MockTransport`); `timeout_seconds` bounds every vendor call.
    """

    property: pms.Property
    settings: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    http: httpx.AsyncClient | None = None
    timeout_seconds: float = 10.0


AdapterFactory = Callable[[AdapterConfig], "PmsAdapter"]


@runtime_checkable
class PmsAdapter(Protocol):
    #: Low-cardinality adapter name used in metrics ("builtin", "mews", "cloudbeds", "qloapps").
    name: str

    async def list_room_types(self, property: pms.Property) -> list[pms.RoomType]: ...

    async def list_rate_plans(self, property: pms.Property) -> list[pms.RatePlan]: ...

    async def availability(
        self,
        property: pms.Property,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy,
    ) -> pms.Availability:
        """Bookable offers (room type x rate plan) with per-night prices, taxes and currency."""
        ...

    async def quote(self, property: pms.Property, request: pms.QuoteRequest) -> pms.Quote:
        """Price one offer; raises `RoomUnavailable` when it cannot be booked."""
        ...

    async def create_reservation(
        self, property: pms.Property, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book; the same `idempotency_key` returns the first result and never books twice."""
        ...

    async def get_reservation(self, property: pms.Property, reference: str) -> pms.Reservation: ...

    async def list_reservations(
        self, property: pms.Property, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        """Reservations whose guest has this phone or email, newest arrival first."""
        ...

    async def modify_reservation(
        self, property: pms.Property, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """Move dates and/or change occupancy, atomically (the old stay stays if the new fails)."""
        ...

    async def cancel_reservation(self, property: pms.Property, reference: str) -> pms.Cancellation:
        """Cancel with the rate plan's fee as of the property's local today; idempotent."""
        ...

    async def list_services(self, property: pms.Property) -> pms.ServiceCatalogue: ...

    async def create_service_request(
        self, property: pms.Property, request: pms.ServiceRequestCreate, *, idempotency_key: str
    ) -> pms.ServiceRequest: ...

    async def get_service_request(
        self, property: pms.Property, request_id: str
    ) -> pms.ServiceRequest: ...

    async def aclose(self) -> None:
        """Release connections the adapter owns (not a shared `AdapterConfig.http`)."""
        ...
