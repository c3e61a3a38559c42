"""Properties are found by their WhatsApp phone_number_id; the id lookup is cached per database."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.models import Property
from hotelbot.property import service as property_service
from tests.factories.property import make_property


async def test_get_by_phone_number_id(session: AsyncSession) -> None:
    created = await make_property(session, phone_number_id="700000000001")
    found = await property_service.get_by_phone_number_id(session, "700000000001")
    assert found is not None and found.id == created.id
    assert await property_service.get_by_phone_number_id(session, "700000000002") is None


async def test_id_lookup_answers_and_misses(session: AsyncSession) -> None:
    created = await make_property(session, phone_number_id="700000000003")
    assert await property_service.get_id_by_phone_number_id(session, "700000000003") == created.id
    assert await property_service.get_id_by_phone_number_id(session, "700000000004") is None


async def test_a_number_added_after_a_miss_routes_at_once(session: AsyncSession) -> None:
    assert await property_service.get_id_by_phone_number_id(session, "700000000005") is None
    created = await make_property(session, phone_number_id="700000000005")
    assert await property_service.get_id_by_phone_number_id(session, "700000000005") == created.id


async def test_forget_drops_a_cached_mapping(session: AsyncSession) -> None:
    first = await make_property(session, phone_number_id="700000000006")
    assert await property_service.get_id_by_phone_number_id(session, "700000000006") == first.id
    await session.execute(delete(Property).where(Property.id == first.id))
    property_service.forget(session, "700000000006")
    assert await property_service.get_id_by_phone_number_id(session, "700000000006") is None
