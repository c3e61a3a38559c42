"""The demo hotel (Hotel Miramar): 40 rooms in 4 room types, 2 rate plans each, seasonal and
weekend prices, a year of inventory from the property's today, city tax, EUR, a services
catalogue and a room-service menu.

`ensure_demo_hotel()` is idempotent and cheap to call at every start: it creates what is
missing and rolls the inventory/price calendar forward to a year ahead with bulk inserts.
The chatbot's demo property uses the same `DEMO_PROPERTY_ID` / `DEMO_PROPERTY_SLUG`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.pms.adapters.builtin.models import (
    PmsInventory,
    PmsPrice,
    PmsProperty,
    PmsRatePlan,
    PmsRoom,
    PmsRoomType,
    PmsService,
)
from hotelbot.pms.adapters.builtin.pricing import local_today, to_cents

DEMO_PROPERTY_SLUG = "demo-miramar"
DEMO_PROPERTY_ID = uuid.UUID("6f1c2a9e-4b7d-4e2a-9c1f-5d3e8a7b0c42")
DEMO_TIMEZONE = "Europe/Lisbon"
DEMO_NAME = "Hotel Miramar Lisboa"
CALENDAR_DAYS = 365

# (code, name, description, rooms, max_adults, max_children, max_occupancy, beds, m2, base €)
ROOM_TYPES: list[tuple[Any, ...]] = [
    ("STD-DBL", "Standard Double", "Quiet double room facing the garden.", 14, 2, 1, 3,
     [{"type": "double", "count": 1}], 20, "98"),
    ("STD-TWN", "Standard Twin", "Two single beds, garden side.", 12, 2, 1, 3,
     [{"type": "single", "count": 2}], 21, "98"),
    ("SUP-SEA", "Superior Sea View", "Larger room with a balcony over the bay.", 10, 2, 1, 3,
     [{"type": "king", "count": 1}], 28, "149"),
    ("FAM-STE", "Family Suite", "Two rooms: a king bed and bunk beds, sea view.", 4, 4, 3, 5,
     [{"type": "king", "count": 1}, {"type": "bunk", "count": 1}], 45, "229"),
]  # fmt: skip
#: The names as guests read them in the other languages the chatbot speaks.
ROOM_TYPE_NAMES = {
    "STD-DBL": {"es": "Doble estándar", "de": "Standard-Doppelzimmer", "fr": "Double standard",
                "it": "Doppia standard", "pt": "Duplo standard"},
    "STD-TWN": {"es": "Dos camas estándar", "de": "Standard-Zweibettzimmer",
                "fr": "Lits jumeaux standard", "it": "Camera twin standard",
                "pt": "Duplo twin standard"},
    "SUP-SEA": {"es": "Superior vista al mar", "de": "Superior Meerblick",
                "fr": "Supérieure vue mer", "it": "Superior vista mare",
                "pt": "Superior vista mar"},
    "FAM-STE": {"es": "Suite familiar", "de": "Familiensuite", "fr": "Suite familiale",
                "it": "Suite familiare", "pt": "Suite familiar"},
}  # fmt: skip
RATE_PLAN_NAMES = {
    "FLEX-BB": {"es": "Flexible con desayuno", "de": "Flexibel mit Frühstück",
                "fr": "Flexible avec petit-déjeuner", "it": "Flessibile con colazione",
                "pt": "Flexível com pequeno-almoço"},
    "NRF": {"es": "No reembolsable", "de": "Nicht erstattbar", "fr": "Non remboursable",
            "it": "Non rimborsabile", "pt": "Não reembolsável"},
}  # fmt: skip
AMENITIES = {
    "STD-DBL": ["wifi", "air_conditioning", "tv", "safe", "hairdryer"],
    "STD-TWN": ["wifi", "air_conditioning", "tv", "safe", "hairdryer"],
    "SUP-SEA": ["wifi", "air_conditioning", "tv", "safe", "balcony", "sea_view", "minibar"],
    "FAM-STE": ["wifi", "air_conditioning", "tv", "safe", "sea_view", "kitchenette", "crib"],
}
# Month → price multiplier (high summer, shoulder, low winter).
SEASON = {1: "0.80", 2: "0.80", 3: "0.90", 4: "1.05", 5: "1.10", 6: "1.30", 7: "1.55",
          8: "1.60", 9: "1.25", 10: "1.00", 11: "0.85", 12: "0.90"}  # fmt: skip
WEEKEND = Decimal("1.15")  # Friday and Saturday nights
BREAKFAST_PER_ROOM = Decimal("22")
NON_REFUNDABLE_DISCOUNT = Decimal("0.88")
TAX_RULES = [
    {"code": "VAT", "name": "VAT 6%", "kind": "percent", "included": True, "rate": "6"},
    {"code": "CITY", "name": "City tax", "kind": "per_person_per_night", "included": False,
     "rate": "2.50", "min_age": 16},
]  # fmt: skip
# (code, category, name, description, price €, unit, hours)
SERVICES = [
    ("LATE-CO", "late_checkout", "Late check-out until 14:00", "Subject to availability.",
     "30", "per_stay", ""),
    ("EARLY-CI", "early_checkin", "Early check-in from 11:00", "", "25", "per_stay", ""),
    ("TRANSFER-AIR", "airport_transfer", "Airport transfer", "Private car, up to 4 guests.",
     "55", "per_trip", "06:00-23:00"),
    ("BREAKFAST", "breakfast", "Breakfast buffet", "Served in the terrace restaurant.",
     "18", "per_person", "07:00-10:30"),
    ("SPA-MASSAGE", "spa", "Relaxing massage, 50 min", "", "75", "per_person", "10:00-20:00"),
    ("SPA-ACCESS", "spa", "Spa circuit access", "Pool, sauna and steam bath.", "20",
     "per_person", "09:00-21:00"),
    ("PARKING", "parking", "Garage parking", "", "18", "per_night", ""),
]  # fmt: skip
# (code, section, name, price €, dietary)
MENU = [
    ("RS-CLUB", "Mains", "Club sandwich with fries", "16", []),
    ("RS-BURGER", "Mains", "Beef burger", "18", []),
    ("RS-PASTA", "Mains", "Tomato and basil pasta", "14", ["vegetarian"]),
    ("RS-SALAD", "Starters", "Mediterranean salad", "12", ["vegetarian", "gluten_free"]),
    ("RS-SOUP", "Starters", "Soup of the day", "9", ["vegan"]),
    ("RS-CAKE", "Desserts", "Chocolate cake", "8", ["vegetarian"]),
    ("RS-FRUIT", "Desserts", "Seasonal fruit plate", "7", ["vegan", "gluten_free"]),
    ("RS-WATER", "Drinks", "Mineral water 75 cl", "4", ["vegan"]),
    ("RS-CAVA", "Drinks", "Bottle of cava", "32", ["vegan"]),
    ("RS-COFFEE", "Drinks", "Coffee or tea", "4", ["vegan"]),
]  # fmt: skip
#: Service names as guests read them in the other languages the chatbot speaks.
SERVICE_NAMES = {
    "LATE-CO": {"es": "Salida tardía hasta las 14:00", "de": "Später Check-out bis 14:00",
                "fr": "Départ tardif jusqu'à 14h00", "it": "Late check-out fino alle 14:00",
                "pt": "Check-out tardio até às 14:00"},
    "EARLY-CI": {"es": "Entrada anticipada desde las 11:00", "de": "Früher Check-in ab 11:00",
                 "fr": "Arrivée anticipée dès 11h00", "it": "Early check-in dalle 11:00",
                 "pt": "Check-in antecipado a partir das 11:00"},
    "TRANSFER-AIR": {"es": "Traslado al aeropuerto", "de": "Flughafentransfer",
                     "fr": "Navette aéroport", "it": "Transfer aeroporto",
                     "pt": "Transfer aeroporto"},
    "BREAKFAST": {"es": "Desayuno buffet", "de": "Frühstücksbuffet",
                  "fr": "Petit-déjeuner buffet", "it": "Colazione a buffet",
                  "pt": "Pequeno-almoço buffet"},
    "SPA-MASSAGE": {"es": "Masaje relajante, 50 min", "de": "Entspannungsmassage, 50 Min.",
                    "fr": "Massage relaxant, 50 min", "it": "Massaggio rilassante, 50 min",
                    "pt": "Massagem relaxante, 50 min"},
    "SPA-ACCESS": {"es": "Acceso al circuito spa", "de": "Zugang zum Spa-Bereich",
                   "fr": "Accès au parcours spa", "it": "Accesso al percorso spa",
                   "pt": "Acesso ao circuito de spa"},
    "PARKING": {"es": "Parking en garaje", "de": "Garagenstellplatz", "fr": "Parking couvert",
                "it": "Parcheggio in garage", "pt": "Estacionamento em garagem"},
}  # fmt: skip
#: Menu names in the other languages; each is a WhatsApp list row title (24 characters at most).
MENU_NAMES = {
    "RS-CLUB": {"es": "Club sándwich y patatas", "de": "Clubsandwich mit Pommes",
                "fr": "Club sandwich et frites", "it": "Club sandwich e patatine",
                "pt": "Club sandwich e batatas"},
    "RS-BURGER": {"es": "Hamburguesa de ternera", "de": "Rindfleischburger",
                  "fr": "Burger de bœuf", "it": "Hamburger di manzo",
                  "pt": "Hambúrguer de novilho"},
    "RS-PASTA": {"es": "Pasta tomate y albahaca", "de": "Pasta Tomate-Basilikum",
                 "fr": "Pâtes tomate et basilic", "it": "Pasta alla napoletana",
                 "pt": "Massa à napolitana"},
    "RS-SALAD": {"es": "Ensalada mediterránea", "de": "Mediterraner Salat",
                 "fr": "Salade méditerranéenne", "it": "Insalata mediterranea",
                 "pt": "Salada mediterrânica"},
    "RS-SOUP": {"es": "Sopa del día", "de": "Tagessuppe", "fr": "Soupe du jour",
                "it": "Zuppa del giorno", "pt": "Sopa do dia"},
    "RS-CAKE": {"es": "Tarta de chocolate", "de": "Schokoladenkuchen",
                "fr": "Gâteau au chocolat", "it": "Torta al cioccolato", "pt": "Bolo de chocolate"},
    "RS-FRUIT": {"es": "Fruta de temporada", "de": "Obstteller der Saison",
                 "fr": "Fruits de saison", "it": "Frutta di stagione", "pt": "Fruta da época"},
    "RS-WATER": {"es": "Agua mineral 75 cl", "de": "Mineralwasser 0,75 l",
                 "fr": "Eau minérale 75 cl", "it": "Acqua minerale 75 cl",
                 "pt": "Água mineral 75 cl"},
    "RS-CAVA": {"es": "Botella de cava", "de": "Flasche Cava", "fr": "Bouteille de cava",
                "it": "Bottiglia di cava", "pt": "Garrafa de cava"},
    "RS-COFFEE": {"es": "Café o té", "de": "Kaffee oder Tee", "fr": "Café ou thé",
                  "it": "Caffè o tè", "pt": "Café ou chá"},
}  # fmt: skip


async def ensure_demo_hotel(session: AsyncSession, *, now: dt.datetime | None = None) -> uuid.UUID:
    """Create the demo hotel if missing and extend its calendar to a year ahead; never commits."""
    now = now or dt.datetime.now(dt.UTC)
    existing = await session.get(PmsProperty, DEMO_PROPERTY_ID)
    if existing is None:
        await _create_property(session)
    else:
        # Data dirs seeded by earlier versions placed the demo hotel in Madrid, an hour ahead of
        # the chatbot's Lisbon: for that hour every "today" was already tomorrow in the PMS.
        existing.timezone, existing.country, existing.name = DEMO_TIMEZONE, "PT", DEMO_NAME
        existing.tax_rules = TAX_RULES  # Portuguese VAT (included in prices: totals unchanged)
        await _name_in_every_language(session)
    today = local_today(now, DEMO_TIMEZONE)
    await _extend_calendar(session, today, today + dt.timedelta(days=CALENDAR_DAYS))
    return DEMO_PROPERTY_ID


async def _name_in_every_language(session: AsyncSession) -> None:
    """Give a demo hotel seeded before names had translations its names in every language."""
    mine = PmsRoomType.property_id == DEMO_PROPERTY_ID
    for room_type in await session.scalars(select(PmsRoomType).where(mine)):
        room_type.names = room_type.names or ROOM_TYPE_NAMES.get(room_type.code, {})
    plans = PmsRatePlan.property_id == DEMO_PROPERTY_ID
    for plan in await session.scalars(select(PmsRatePlan).where(plans)):
        plan.names = plan.names or RATE_PLAN_NAMES.get(plan.code, {})
    catalogue = PmsService.property_id == DEMO_PROPERTY_ID
    for item in await session.scalars(select(PmsService).where(catalogue)):
        translations = SERVICE_NAMES if item.kind == "service" else MENU_NAMES
        item.names = item.names or translations.get(item.code, {})


async def _create_property(session: AsyncSession) -> None:
    session.add(
        PmsProperty(
            id=DEMO_PROPERTY_ID,
            slug=DEMO_PROPERTY_SLUG,
            name=DEMO_NAME,
            timezone=DEMO_TIMEZONE,
            currency="EUR",
            country="PT",
            check_in_time="15:00",
            check_out_time="11:00",
            pms_adapter="builtin",
            pms_settings={},
            tax_rules=TAX_RULES,
        )
    )
    await session.flush()
    for order, (code, name, desc, rooms, adults, children, occ, beds, m2, _) in enumerate(
        ROOM_TYPES
    ):
        room_type = PmsRoomType(
            property_id=DEMO_PROPERTY_ID, code=code, name=name, names=ROOM_TYPE_NAMES[code],
            description=desc, max_adults=adults, max_children=children, max_occupancy=occ,
            beds=beds, size_m2=m2, amenities=AMENITIES[code], sort_order=order,
            photos=[f"/pms/static/demo/{code.lower()}-{i}.jpg" for i in (1, 2)],
        )  # fmt: skip
        session.add(room_type)
        await session.flush()
        session.add_all(
            PmsRoom(
                property_id=DEMO_PROPERTY_ID,
                room_type_id=room_type.id,
                number=f"{order + 1}{i + 1:02d}",
                floor=order + 1,
            )
            for i in range(rooms)
        )
    session.add_all(_rate_plans())
    session.add_all(_catalogue())
    await session.flush()


def _rate_plans() -> list[PmsRatePlan]:
    return [
        PmsRatePlan(
            property_id=DEMO_PROPERTY_ID, code="FLEX-BB", name="Flexible with breakfast",
            names=RATE_PLAN_NAMES["FLEX-BB"],
            description="Breakfast included; free cancellation until 2 days before arrival.",
            refundable=True, breakfast_included=True, deadline_days_before=2, fee_nights=1,
            fee_percent=100, sort_order=0,
            policy_description="Free cancellation until 2 days before arrival, then 1 night.",
        ),
        PmsRatePlan(
            property_id=DEMO_PROPERTY_ID, code="NRF", name="Non-refundable",
            names=RATE_PLAN_NAMES["NRF"],
            description="Best price, room only; paid in full and not refundable.",
            refundable=False, breakfast_included=False, deadline_days_before=None,
            fee_nights=0, fee_percent=100, sort_order=1,
            policy_description="Not refundable: cancelling costs the full stay.",
        ),
    ]  # fmt: skip


def _catalogue() -> list[PmsService]:
    services = [
        PmsService(
            property_id=DEMO_PROPERTY_ID, kind="service", code=code, category=category,
            name=name, names=SERVICE_NAMES[code], description=desc,
            price_cents=to_cents(Decimal(price)), unit=unit, hours=hours, sort_order=order,
        )
        for order, (code, category, name, desc, price, unit, hours) in enumerate(SERVICES)
    ]  # fmt: skip
    menu = [
        PmsService(
            property_id=DEMO_PROPERTY_ID, kind="menu", code=code, category="other",
            section=section, name=name, names=MENU_NAMES[code],
            price_cents=to_cents(Decimal(price)), unit="per_item", hours="12:00-23:00",
            dietary=dietary, sort_order=order,
        )
        for order, (code, section, name, price, dietary) in enumerate(MENU)
    ]  # fmt: skip
    return services + menu


async def _extend_calendar(session: AsyncSession, today: dt.date, until: dt.date) -> None:
    """Add inventory and prices for every date in [first missing, until) in two bulk inserts."""
    room_types = (
        await session.scalars(
            select(PmsRoomType).where(PmsRoomType.property_id == DEMO_PROPERTY_ID)
        )
    ).all()
    plans = (
        await session.scalars(
            select(PmsRatePlan).where(PmsRatePlan.property_id == DEMO_PROPERTY_ID)
        )
    ).all()
    rooms = {code: count for code, _, _, count, *_ in ROOM_TYPES}
    base = {row[0]: Decimal(row[-1]) for row in ROOM_TYPES}
    inventory: list[dict[str, Any]] = []
    prices: list[dict[str, Any]] = []
    for rt in room_types:
        last = await session.scalar(
            select(func.max(PmsInventory.date)).where(PmsInventory.room_type_id == rt.id)
        )
        start = max(today, last + dt.timedelta(days=1)) if last else today
        for offset in range((until - start).days):
            day = start + dt.timedelta(days=offset)
            inventory.append(
                {"room_type_id": rt.id, "date": day, "total": rooms[rt.code], "sold": 0}
            )
            for plan in plans:
                amount = night_price(base[rt.code], day, breakfast=plan.breakfast_included,
                                     refundable=plan.refundable)  # fmt: skip
                prices.append({"rate_plan_id": plan.id, "room_type_id": rt.id, "date": day,
                               "amount_cents": amount})  # fmt: skip
    if inventory:
        await session.execute(insert(PmsInventory), inventory)
        await session.execute(insert(PmsPrice), prices)


def night_price(base: Decimal, day: dt.date, *, breakfast: bool, refundable: bool) -> int:
    """Cents for one room-night: base * season * weekend + breakfast, less the NRF discount."""
    price = base * Decimal(SEASON[day.month])
    if day.weekday() in (4, 5):
        price *= WEEKEND
    if breakfast:
        price += BREAKFAST_PER_ROOM
    if not refundable:
        price *= NON_REFUNDABLE_DISCOUNT
    # Whole euros read better in a chat and avoid cent drift across nights.
    return to_cents(price.quantize(Decimal(1)))
