"""The demo hotel the product starts with: an invented hotel in Lisbon, answered in six languages.

`DEMO_PROFILE` is the shape every property profile follows (read by `engine/profile.py`):
`faq` holds one answer per topic and language, `facts` the same facts as structured values
for later tools. Prices and times agree with the built-in PMS's demo hotel (same slug and id).
`ensure_demo_property()` is idempotent: call it at every start of `hotelbot run`.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.models import Property

#: Shared with the built-in PMS's demo hotel (`pms/adapters/builtin/demo.py`), not imported
#: from it: the chatbot reaches the PMS only over HTTP.
DEMO_PROPERTY_ID = uuid.UUID("6f1c2a9e-4b7d-4e2a-9c1f-5d3e8a7b0c42")
DEMO_PROPERTY_SLUG = "demo-miramar"
DEMO_NAME = "Hotel Miramar Lisboa"
DEMO_TIMEZONE = "Europe/Lisbon"
DEMO_LANGUAGES = ["en", "es", "de", "fr", "it", "pt"]

DEMO_FACTS: dict[str, Any] = {
    "checkin_time": "15:00",
    "early_checkin": {"from": "11:00", "price_eur": 25},
    "checkout_time": "11:00",
    "late_checkout": {"until": "14:00", "price_eur": 30},
    "breakfast": {"hours": "07:00-10:30", "price_eur": 18, "children_under_4_free": True},
    "parking": {"kind": "garage", "price_eur_per_night": 18, "spaces": 20},
    "pets": {"allowed": True, "max_kg": 10, "price_eur_per_night": 15},
    "wifi": {"free": True, "network": "Miramar-Guest"},
    "pool": {"kind": "indoor, in the spa", "hours": "09:00-21:00", "price_eur": 20},
    "gym": {"hours": "24h", "free": True},
    "city_tax_eur_per_person_night": 2.5,
    "airport_transfer": {"price_eur": 55, "max_guests": 4, "hours": "06:00-23:00"},
}

#: topic → language → answer; kept as data (JSON) so that it reads like the content it is.
_FAQ: dict[str, dict[str, str]] = json.loads(
    resources.files(__package__).joinpath("demo_faq.json").read_text(encoding="utf-8")
)

DEMO_PROFILE: dict[str, Any] = {
    "address": "Rua das Gaivotas do Tejo 27, 1200-321 Lisboa, Portugal",
    "geo": {"latitude": 38.7071, "longitude": -9.1482},
    "email": "stay@miramar-lisboa.example",
    "currency": "EUR",
    "facts": DEMO_FACTS,
    "faq": _FAQ,
}


async def ensure_demo_property(
    session: AsyncSession, *, phone_number_id: str, display_phone_number: str
) -> Property:
    """The demo property, created on first call; later calls only re-point its number.

    The profile is written once, so edits made in the console survive restarts. Never commits.
    """
    query = select(Property).where(Property.slug == DEMO_PROPERTY_SLUG)
    prop = (await session.execute(query)).scalar_one_or_none()
    if prop is None:
        prop = Property(
            id=DEMO_PROPERTY_ID,
            slug=DEMO_PROPERTY_SLUG,
            name=DEMO_NAME,
            phone_number_id=phone_number_id,
            display_phone_number=display_phone_number,
            timezone=DEMO_TIMEZONE,
            languages=list(DEMO_LANGUAGES),
            default_language="en",
            profile=DEMO_PROFILE,
            pms={"adapter": "builtin", "property_id": str(DEMO_PROPERTY_ID)},
        )
        session.add(prop)
    else:
        prop.phone_number_id = phone_number_id
        prop.display_phone_number = display_phone_number
    await session.flush()
    return prop
