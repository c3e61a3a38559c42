"""The one PMS service layer: find the property, pick its adapter, call it, measure it.

REST (`rest.py`) and GraphQL (`graphql.py`) call only these functions, so both faces answer
the same way. `adapter_for(runtime, property)` is the only place an adapter is chosen: the
built-in PMS by default, a vendor adapter when the property's `pms_adapter` names one; vendor
secrets come from `settings.pms.credentials[<slug>]`, never from the database.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import structlog
from pydantic import ValidationError
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import hotelbot.pms.schemas as pms
from hotelbot import metrics
from hotelbot.pms import errors
from hotelbot.pms.adapters.base import AdapterConfig, AdapterFactory, PmsAdapter
from hotelbot.pms.adapters.builtin.adapter import BuiltinAdapter
from hotelbot.pms.adapters.builtin.models import PmsProperty
from hotelbot.settings import PmsSettings

log = structlog.get_logger(__name__)
T = TypeVar("T")

#: Vendor adapters by `pms_adapter` name → module exposing `create_adapter(AdapterConfig)`.
VENDOR_MODULES = {
    "mews": "hotelbot.pms.adapters.mews",
    "cloudbeds": "hotelbot.pms.adapters.cloudbeds",
    "qloapps": "hotelbot.pms.adapters.qloapps",
}
#: Adapters whose PMS refuses a booking without the guest's e-mail address.
EMAIL_REQUIRED_ADAPTERS = frozenset({"cloudbeds", "qloapps"})


@dataclass
class PmsRuntime:
    """What the PMS service holds for its lifetime (built by `app.create_pms_app`)."""

    settings: PmsSettings
    sessionmaker: async_sessionmaker[AsyncSession]
    builtin: BuiltinAdapter
    #: Shared client for vendor adapters (tests pass one over `httpx.MockTransport`).
    http: httpx.AsyncClient | None = None
    factories: dict[str, AdapterFactory] = field(default_factory=dict)
    _vendor_adapters: dict[uuid.UUID, PmsAdapter] = field(default_factory=dict)

    async def aclose(self) -> None:
        for adapter in self._vendor_adapters.values():
            await adapter.aclose()
        self._vendor_adapters.clear()


# ---- properties and adapters --------------------------------------------------------------


async def get_property(runtime: PmsRuntime, key: str | uuid.UUID) -> pms.Property:
    """The property by id or slug, or `PropertyNotFound`."""
    async with runtime.sessionmaker() as session:
        row = await session.scalar(select(PmsProperty).where(_property_filter(key)))
    if row is None:
        raise errors.PropertyNotFound("property not found")
    return property_out(row)


async def list_properties(runtime: PmsRuntime) -> list[pms.Property]:
    async with runtime.sessionmaker() as session:
        rows = await session.scalars(select(PmsProperty).order_by(PmsProperty.slug))
        return [property_out(row) for row in rows]


def _property_filter(key: str | uuid.UUID) -> ColumnElement[bool]:
    if isinstance(key, uuid.UUID):
        return PmsProperty.id == key
    try:
        return PmsProperty.id == uuid.UUID(key)
    except ValueError:
        return PmsProperty.slug == key


def property_out(row: PmsProperty) -> pms.Property:
    return pms.Property(
        id=row.id,
        slug=row.slug,
        name=row.name,
        timezone=row.timezone,
        currency=row.currency,
        country=row.country,
        check_in_time=dt.time.fromisoformat(row.check_in_time),
        check_out_time=dt.time.fromisoformat(row.check_out_time),
        pms_adapter=row.pms_adapter,
        pms_settings=dict(row.pms_settings),
        guest_email_required=guest_email_required(row.pms_adapter, row.pms_settings),
    )


def guest_email_required(adapter: str, settings: dict[str, str]) -> bool:
    """Whether a booking needs the guest's e-mail: the vendor demands it, or the hotel asks for
    it (`pms_settings.guest_email_required = "true"`, e.g. to send its own confirmations)."""
    asked = str(settings.get("guest_email_required", "")).strip().lower() in {"1", "true", "yes"}
    return adapter in EMAIL_REQUIRED_ADAPTERS or asked


def adapter_for(runtime: PmsRuntime, property: pms.Property) -> PmsAdapter:
    """The adapter serving `property`, built once per property and reused."""
    if property.pms_adapter == "builtin":
        return runtime.builtin
    cached = runtime._vendor_adapters.get(property.id)
    if cached is not None:
        return cached
    factory = runtime.factories.get(property.pms_adapter) or _vendor_factory(property.pms_adapter)
    secrets = runtime.settings.credentials.get(property.slug, {})
    adapter = factory(
        AdapterConfig(
            property=property,
            settings=property.pms_settings,
            secrets={name: value.get_secret_value() for name, value in secrets.items()},
            http=runtime.http,
            timeout_seconds=runtime.settings.timeout_seconds,
        )
    )
    runtime._vendor_adapters[property.id] = adapter
    return adapter


def _vendor_factory(name: str) -> AdapterFactory:
    module_name = VENDOR_MODULES.get(name)
    if module_name is None:
        # A misconfigured property is an operator error, not the caller's: 503, not 4xx.
        raise errors.PmsUnavailable("the property's PMS adapter is not available")
    factory: AdapterFactory = importlib.import_module(module_name).create_adapter
    return factory


async def _call(adapter: PmsAdapter, operation: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run one adapter call, recording its outcome and latency; unknown errors → 503."""
    started = time.perf_counter()
    outcome = "ok"
    try:
        return await call()
    except errors.PmsError as exc:
        outcome = exc.code
        raise
    except Exception as exc:
        outcome = "error"
        log.error("pms.adapter.error", adapter=adapter.name, operation=operation, exc_info=exc)
        raise errors.PmsUnavailable("the PMS failed to answer") from exc
    finally:
        metrics.PMS_REQUESTS.labels(adapter.name, operation, outcome).inc()
        metrics.PMS_LATENCY.labels(adapter.name, operation).observe(time.perf_counter() - started)


def _stay(check_in: dt.date, check_out: dt.date, occupancy: pms.Occupancy) -> pms.Stay:
    try:
        return pms.Stay(check_in=check_in, check_out=check_out, occupancy=occupancy)
    except ValidationError as exc:
        raise errors.InvalidRequest("check_out must be 1 to 30 nights after check_in") from exc


# ---- operations ---------------------------------------------------------------------------


async def list_room_types(runtime: PmsRuntime, property: pms.Property) -> list[pms.RoomType]:
    adapter = adapter_for(runtime, property)
    return await _call(adapter, "room_types", lambda: adapter.list_room_types(property))


async def list_rate_plans(runtime: PmsRuntime, property: pms.Property) -> list[pms.RatePlan]:
    adapter = adapter_for(runtime, property)
    return await _call(adapter, "rate_plans", lambda: adapter.list_rate_plans(property))


async def availability(
    runtime: PmsRuntime,
    property: pms.Property,
    check_in: dt.date,
    check_out: dt.date,
    occupancy: pms.Occupancy,
) -> pms.Availability:
    stay = _stay(check_in, check_out, occupancy)
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter,
        "availability",
        lambda: adapter.availability(property, stay.check_in, stay.check_out, stay.occupancy),
    )


async def quote(
    runtime: PmsRuntime, property: pms.Property, request: pms.QuoteRequest
) -> pms.Quote:
    adapter = adapter_for(runtime, property)
    return await _call(adapter, "quote", lambda: adapter.quote(property, request))


async def create_reservation(
    runtime: PmsRuntime,
    property: pms.Property,
    request: pms.ReservationCreate,
    *,
    idempotency_key: str,
) -> pms.Reservation:
    """Book once per `idempotency_key`; a repeat returns the first reservation."""
    if property.guest_email_required and not request.guest.email:
        raise errors.InvalidRequest("this property needs the guest's e-mail address to book")
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter,
        "create_reservation",
        lambda: adapter.create_reservation(property, request, idempotency_key=idempotency_key),
    )


async def get_reservation(
    runtime: PmsRuntime, property: pms.Property, reference: str
) -> pms.Reservation:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter, "get_reservation", lambda: adapter.get_reservation(property, reference)
    )


async def list_reservations(
    runtime: PmsRuntime, property: pms.Property, contact: pms.GuestContact
) -> list[pms.Reservation]:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter, "list_reservations", lambda: adapter.list_reservations(property, contact)
    )


async def modify_reservation(
    runtime: PmsRuntime, property: pms.Property, reference: str, change: pms.ReservationChange
) -> pms.Reservation:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter,
        "modify_reservation",
        lambda: adapter.modify_reservation(property, reference, change),
    )


async def cancel_reservation(
    runtime: PmsRuntime, property: pms.Property, reference: str
) -> pms.Cancellation:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter, "cancel_reservation", lambda: adapter.cancel_reservation(property, reference)
    )


async def list_services(runtime: PmsRuntime, property: pms.Property) -> pms.ServiceCatalogue:
    adapter = adapter_for(runtime, property)
    return await _call(adapter, "services", lambda: adapter.list_services(property))


async def create_service_request(
    runtime: PmsRuntime,
    property: pms.Property,
    request: pms.ServiceRequestCreate,
    *,
    idempotency_key: str,
) -> pms.ServiceRequest:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter,
        "create_service_request",
        lambda: adapter.create_service_request(property, request, idempotency_key=idempotency_key),
    )


async def get_service_request(
    runtime: PmsRuntime, property: pms.Property, request_id: str
) -> pms.ServiceRequest:
    adapter = adapter_for(runtime, property)
    return await _call(
        adapter, "get_service_request", lambda: adapter.get_service_request(property, request_id)
    )
