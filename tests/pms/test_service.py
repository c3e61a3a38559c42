"""The service layer: adapter choice per property, input validation, metrics per call."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from prometheus_client import REGISTRY

from hotelbot.pms import errors, service
from hotelbot.pms.adapters.base import AdapterConfig, PmsAdapter
from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_ID, DEMO_PROPERTY_SLUG
from hotelbot.pms.schemas import Occupancy, Property
from hotelbot.pms.service import PmsRuntime
from tests.pms.conftest import TODAY


def _count(operation: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "hotelbot_pms_requests_total",
        {"adapter": "builtin", "operation": operation, "outcome": outcome},
    )
    return value or 0.0


async def test_property_is_found_by_slug_or_id(runtime: PmsRuntime) -> None:
    by_slug = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    by_id = await service.get_property(runtime, str(DEMO_PROPERTY_ID))
    assert by_slug == by_id and by_slug.timezone == "Europe/Lisbon"


async def test_unknown_property_is_not_found(runtime: PmsRuntime) -> None:
    with pytest.raises(errors.PropertyNotFound):
        await service.get_property(runtime, "nowhere-inn")


async def test_built_in_properties_use_the_built_in_adapter(runtime: PmsRuntime) -> None:
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    assert service.adapter_for(runtime, prop) is runtime.builtin


async def test_vendor_property_gets_its_adapter_with_secrets_from_settings(
    runtime: PmsRuntime,
) -> None:
    built: list[AdapterConfig] = []

    def factory(config: AdapterConfig) -> PmsAdapter:
        built.append(config)
        return runtime.builtin

    runtime.factories["acme"] = factory
    vendor = Property(
        id=uuid.uuid4(), slug="acme-hotel", name="Acme", pms_adapter="acme",
        pms_settings={"hotel_id": "H-1"},
    )  # fmt: skip
    assert service.adapter_for(runtime, vendor) is runtime.builtin
    service.adapter_for(runtime, vendor)
    assert len(built) == 1  # built once per property, then reused
    assert built[0].settings == {"hotel_id": "H-1"}


async def test_unknown_adapter_name_is_unavailable_not_a_crash(runtime: PmsRuntime) -> None:
    vendor = Property(id=uuid.uuid4(), slug="x-hotel", name="X", pms_adapter="nonexistent")
    with pytest.raises(errors.PmsUnavailable):
        service.adapter_for(runtime, vendor)


async def test_calls_are_counted_by_operation_and_outcome(runtime: PmsRuntime) -> None:
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    ok_before = _count("availability", "ok")
    missing_before = _count("get_reservation", "reservation_not_found")
    await service.availability(
        runtime, prop, TODAY + dt.timedelta(days=3), TODAY + dt.timedelta(days=5), Occupancy()
    )
    with pytest.raises(errors.ReservationNotFound):
        await service.get_reservation(runtime, prop, "NONE-1")
    assert _count("availability", "ok") == ok_before + 1
    assert _count("get_reservation", "reservation_not_found") == missing_before + 1


async def test_stays_longer_than_thirty_nights_are_invalid(runtime: PmsRuntime) -> None:
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    with pytest.raises(errors.InvalidRequest):
        await service.availability(runtime, prop, TODAY, TODAY + dt.timedelta(days=31), Occupancy())
