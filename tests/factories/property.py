"""Properties for tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.models import Property
from hotelbot.property import service as property_service

#: The business number our WhatsApp fixtures (tests/data/whatsapp) are addressed to.
FIXTURE_PHONE_NUMBER_ID = "900100200300"


async def make_property(
    session: AsyncSession, *, phone_number_id: str = FIXTURE_PHONE_NUMBER_ID, **overrides: Any
) -> Property:
    fields: dict[str, Any] = {
        "slug": f"hotel-{phone_number_id}",
        "name": "Hotel Mirador",
        "phone_number_id": phone_number_id,
        "display_phone_number": "34910000100",
        "timezone": "Europe/Madrid",
        "languages": ["es", "en"],
        "default_language": "es",
    }
    return await property_service.create_property(session, **(fields | overrides))
