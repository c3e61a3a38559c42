"""The service layer: adapter choice per property, input validation, metrics per call."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.kit.db import session_scope
from hotelbot.pms import errors, service
from hotelbot.pms.adapters.base import AdapterConfig, PmsAdapter
from hotelbot.pms.adapters.builtin import demo
from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_ID, DEMO_PROPERTY_SLUG
from hotelbot.pms.adapters.builtin.models import PmsProperty, PmsService
from hotelbot.pms.schemas import (
    GuestDetails,
    Occupancy,
    Property,
    ReservationCreate,
    in_language,
)
from hotelbot.pms.service import PmsRuntime
from tests.pms.conftest import NOW, TODAY


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


async def test_a_hotel_that_asks_for_e_mail_gets_no_booking_without_one(
    runtime: PmsRuntime, pms_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(pms_sessionmaker) as session:
        await session.execute(
            update(PmsProperty).values(pms_settings={"guest_email_required": "true"})
        )
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    assert prop.guest_email_required
    stay = {
        "check_in": TODAY + dt.timedelta(days=3),
        "check_out": TODAY + dt.timedelta(days=5),
        "occupancy": Occupancy(adults=2),
        "room_type_code": "STD-DBL",
        "rate_plan_code": "FLEX-BB",
    }
    anonymous = GuestDetails(first_name="Ilse", last_name="Varga", phone="+36201110000")
    with pytest.raises(errors.InvalidRequest, match="e-mail"):
        await service.create_reservation(
            runtime, prop, ReservationCreate(**stay, guest=anonymous), idempotency_key="mail-1"
        )
    reachable = anonymous.model_copy(update={"email": "ilse@example.org"})
    booked = await service.create_reservation(
        runtime, prop, ReservationCreate(**stay, guest=reachable), idempotency_key="mail-2"
    )
    assert booked.guest.email == "ilse@example.org"


def test_vendors_that_demand_e_mail_are_flagged_whatever_the_settings() -> None:
    assert service.guest_email_required("cloudbeds", {})
    assert not service.guest_email_required("builtin", {})
    assert not service.guest_email_required("mews", {"guest_email_required": "no"})


async def test_the_demo_hotels_names_come_in_the_chatbots_languages(runtime: PmsRuntime) -> None:
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    rooms = {r.code: r for r in await service.list_room_types(runtime, prop)}
    family = rooms["FAM-STE"]
    assert in_language(family.name, family.names, "de") == "Familiensuite"
    assert in_language(family.name, family.names, "en") == "Family Suite"
    assert in_language(family.name, family.names, "nl") == "Family Suite"  # no Dutch: the hotel's
    assert {n.language for n in family.names} == {"es", "de", "fr", "it", "pt"}


#: WhatsApp's limit on a list row title: every menu item is one in the room-service list.
ROW_TITLE = 24


async def test_the_demo_hotels_services_and_menu_come_in_the_chatbots_languages(
    runtime: PmsRuntime,
) -> None:
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    catalogue = await service.list_services(runtime, prop)
    late = next(s for s in catalogue.services if s.code == "LATE-CO")
    assert in_language(late.name, late.names, "de") == "Später Check-out bis 14:00"
    assert in_language(late.name, late.names, "nl") == "Late check-out until 14:00"
    club = next(m for m in catalogue.room_service_menu if m.code == "RS-CLUB")
    assert in_language(club.name, club.names, "es") == "Club sándwich y patatas"
    for entry in [*catalogue.services, *catalogue.room_service_menu]:
        assert {n.language for n in entry.names} == {"es", "de", "fr", "it", "pt"}, entry.code
    for item in catalogue.room_service_menu:
        assert all(len(n.text) <= ROW_TITLE for n in item.names), item.code


async def test_a_demo_hotel_seeded_without_service_translations_gets_them(
    runtime: PmsRuntime, pms_sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with session_scope(pms_sessionmaker) as session:
        await session.execute(update(PmsService).values(names={}))
        await session.execute(
            update(PmsService).where(PmsService.code == "RS-CAVA").values(names={"es": "Cava"})
        )
    async with session_scope(pms_sessionmaker) as session:
        await demo.ensure_demo_hotel(session, now=NOW)
    prop = await service.get_property(runtime, DEMO_PROPERTY_SLUG)
    catalogue = await service.list_services(runtime, prop)
    names = {e.code: {n.language: n.text for n in e.names} for e in catalogue.room_service_menu}
    transfer = next(s for s in catalogue.services if s.code == "TRANSFER-AIR")
    assert in_language(transfer.name, transfer.names, "fr") == "Navette aéroport"
    assert names["RS-SOUP"]["it"] == "Zuppa del giorno"
    assert names["RS-CAVA"] == {"es": "Cava"}  # the hotel's own translations are kept
