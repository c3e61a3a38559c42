"""Service requests during a stay: each kind ends in the right PMS request; prices from the
catalogue; several languages; a PMS outage gets an apology and staff."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

import pytest

from hotelbot.engine.flows import answers, service
from hotelbot.engine.texts import render
from hotelbot.pms.schemas import (
    LocalizedText,
    PriceUnit,
    Service,
    ServiceCategory,
    ServiceRequestKind,
)
from tests.engine.fakes import CATALOGUE, FakeTools, house_tools
from tests.engine.flow_kit import Guest


def guest(language: str, tools: FakeTools | None = None) -> Guest:
    return Guest(service.step, language, tools or house_tools())


TOWELS = [
    ("en", "could you bring us more towels to room 214 please", "214"),
    ("es", "¿nos pueden traer más toallas a la habitación 214?", "214"),
    ("de", "Bitte bringen Sie frische Handtücher auf Zimmer 214", "214"),
]


@pytest.mark.parametrize(("language", "message", "room"), TOWELS)
async def test_towels_are_requested_at_once_with_the_room(
    language: str, message: str, room: str
) -> None:
    g = guest(language)
    seen = await g.says(message)
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.TOWELS and request.room_number == room
    assert seen.text == render(language, "service.created", reference=request.id)
    assert g.state.flow is None


async def test_a_uuid_request_id_is_shown_short_and_readable() -> None:
    g = guest("it", house_tools(uuid_request_ids=True))
    seen = await g.says("potete portarci degli asciugamani in camera 214?")
    (request,) = g.tools.requests
    short = request.id[:8].upper()
    assert seen.text == render("it", "service.created", reference=short)
    assert request.id not in seen.text


async def test_housekeeping_is_requested() -> None:
    g = guest("fr")
    await g.says("pouvez-vous faire le ménage dans la chambre 12 ?")
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.HOUSEKEEPING and request.room_number == "12"


async def test_maintenance_asks_what_is_wrong_then_reports_it() -> None:
    g = guest("en")
    seen = await g.presses("service:kind:maintenance")
    assert seen.text == render("en", "service.ask_problem")
    assert not g.tools.requests

    await g.says("the shower is leaking, room 305")
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.MAINTENANCE
    assert request.room_number == "305" and "shower" in request.notes


async def test_an_unclear_request_offers_the_services_as_a_list() -> None:
    g = guest("it")
    seen = await g.says("ho bisogno di una cosa")
    assert seen.choices == [f"service:kind:{k}" for k in service.KINDS]


LATE = [("en", "can I have a late checkout?", "35.00 EUR", "yes"),
        ("fr", "est-ce possible d'avoir un départ tardif ?", "35,00 EUR", "oui"),
        ("it", "vorrei un late check-out", "35,00 EUR", "sì")]  # fmt: skip


@pytest.mark.parametrize(("language", "message", "price", "yes"), LATE)
async def test_late_checkout_is_priced_from_the_catalogue_and_confirmed_first(
    language: str, message: str, price: str, yes: str
) -> None:
    g = guest(language)
    seen = await g.presses("service:kind:late_checkout") if language == "fr" else None
    if seen is None:
        seen = await g.says(message)
    assert price in seen.text and "Late check-out until 14:00" in seen.text
    assert seen.choices == ["service:confirm:yes", "service:confirm:no"]
    assert not g.tools.requests

    seen = await g.says(yes)
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.SERVICE and request.service_code == "LCO-14"
    assert request.id in seen.text and price in seen.text


async def test_the_late_checkout_price_follows_the_catalogue() -> None:
    dearer = Service(
        code="LCO-16",
        category=ServiceCategory.LATE_CHECKOUT,
        name="Late check-out until 16:00",
        price=Decimal("52.50"),
        unit=PriceUnit.PER_STAY,
        currency="EUR",
    )
    tools = house_tools(catalogue=CATALOGUE.model_copy(update={"services": [dearer]}))
    g = guest("de", tools)
    seen = await g.presses("service:kind:late_checkout")
    assert "52,50 EUR" in seen.text and "35" not in seen.text
    await g.presses("service:confirm:no")
    assert not tools.requests
    assert g.state.flow is None


async def test_a_taxi_asks_the_time_then_books_it_after_yes() -> None:
    g = guest("es")
    seen = await g.says("necesito un taxi")
    assert seen.text == render("es", "service.ask_time_taxi")

    seen = await g.says("a las 18:30 al centro")
    assert "18:30" in seen.text
    await g.says("sí")
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.TAXI
    assert request.scheduled_for == datetime(2027, 3, 4, 18, 30, tzinfo=UTC)  # Lisbon = UTC
    assert "centro" in request.notes


async def test_an_airport_transfer_shows_the_catalogue_price() -> None:
    g = guest("pt")
    seen = await g.presses("service:kind:airport_transfer")
    assert seen.text == render("pt", "service.ask_time_airport_transfer")
    seen = await g.says("às 07:15")
    assert "48,00 EUR" in seen.text and "07:15" in seen.text
    seen = await g.presses("service:confirm:yes")
    (request,) = g.tools.requests
    assert request.service_code == "TRF-APT" and request.scheduled_for is not None
    assert request.id in seen.text


async def test_room_service_order_from_the_menu() -> None:
    g = guest("en")
    seen = await g.presses("service:kind:room_service")
    assert seen.choices == [
        "service:item:RS-SOUP",
        "service:item:RS-BURGER",
        "service:item:RS-TART",
    ]
    assert "16.00 EUR" in seen.rows_text

    seen = await g.presses("service:item:RS-BURGER")
    assert seen.choices == ["service:qty:1", "service:qty:2", "service:qty:3"]
    seen = await g.presses("service:qty:2")
    assert "2 x Harbour burger" in seen.text and "32.00 EUR" in seen.text

    await g.presses("service:order:more")
    await g.presses("service:item:RS-TART")
    seen = await g.says("1")
    assert "35.20 EUR" in seen.text
    assert not g.tools.requests

    seen = await g.presses("service:order:yes")
    (request,) = g.tools.requests
    assert request.kind is ServiceRequestKind.ROOM_SERVICE
    assert [(line.code, line.quantity) for line in request.lines] == [
        ("RS-BURGER", 2),
        ("RS-TART", 1),
    ]
    assert "35.20 EUR" in seen.text and request.id in seen.text


def _names(**texts: str) -> list[LocalizedText]:
    return [LocalizedText(language=lang, text=text) for lang, text in texts.items()]


#: The house catalogue with its names in Spanish and German (no French: the hotel's own then).
TRANSLATED = {
    "LCO-14": _names(es="Salida tardía hasta las 14:00", de="Später Check-out bis 14:00"),
    "TRF-APT": _names(es="Traslado al aeropuerto", de="Flughafentransfer"),
    "RS-SOUP": _names(es="Sopa de tomate", de="Tomatensuppe"),
    "RS-BURGER": _names(es="Hamburguesa del puerto", de="Hafenburger"),
    "RS-TART": _names(es="Pastel de nata", de="Puddingtörtchen"),
}
LOCALIZED = CATALOGUE.model_copy(
    update={
        "services": [
            s.model_copy(update={"names": TRANSLATED[s.code]}) for s in CATALOGUE.services
        ],
        "room_service_menu": [
            m.model_copy(update={"names": TRANSLATED[m.code]}) for m in CATALOGUE.room_service_menu
        ],
    }
)


async def test_a_spanish_guest_orders_room_service_by_the_spanish_names() -> None:
    g = guest("es", house_tools(catalogue=LOCALIZED))
    seen = await g.presses("service:kind:room_service")
    assert "Hamburguesa del puerto" in seen.rows_text and "Sopa de tomate" in seen.rows_text
    assert "Harbour burger" not in seen.rows_text

    seen = await g.presses("service:item:RS-BURGER")
    assert "Hamburguesa del puerto" in seen.text
    seen = await g.presses("service:qty:2")
    assert "2 x Hamburguesa del puerto" in seen.text and "32,00 EUR" in seen.text

    await g.presses("service:order:more")
    seen = await g.says("y una sopa de tomate, por favor")  # typed in Spanish, found by its name
    assert "1 x Sopa de tomate" in seen.text and "Tomato soup" not in seen.text
    await g.presses("service:order:yes")
    (request,) = g.tools.requests
    assert [(line.code, line.quantity) for line in request.lines] == [
        ("RS-BURGER", 2),
        ("RS-SOUP", 1),
    ]


@pytest.mark.parametrize(
    ("language", "name"),
    [("de", "Später Check-out bis 14:00"), ("es", "Salida tardía hasta las 14:00"),
     ("fr", "Late check-out until 14:00")],
)  # fmt: skip
async def test_the_late_checkout_is_offered_by_its_name_in_the_guests_language(
    language: str, name: str
) -> None:
    g = guest(language, house_tools(catalogue=LOCALIZED))
    seen = await g.presses("service:kind:late_checkout")
    assert seen.text.startswith(name)


async def test_a_german_guest_is_offered_the_transfer_by_its_german_name() -> None:
    g = guest("de", house_tools(catalogue=LOCALIZED))
    await g.presses("service:kind:airport_transfer")
    seen = await g.says("um 07:15")
    assert "Flughafentransfer am" in seen.text and "Airport transfer" not in seen.text


@pytest.mark.parametrize("language", ["en", "de", "fr"])
async def test_pms_down_apologises_and_offers_staff(language: str) -> None:
    g = guest(language)
    g.tools.down = True
    seen = await g.presses("service:kind:late_checkout")
    assert render(language, "service.pms_down") in seen.text
    assert seen.choices == ["menu:human"]
    assert g.state.flow is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("necesito un taxi al aeropuerto mañana a las 7", time(7, 0)),
        ("taxi tomorrow at 7", time(7, 0)),
        ("Taxi morgen um 7", time(7, 0)),
        ("un taxi demain vers 7", time(7, 0)),
        ("taxi domani alle 7", time(7, 0)),
        ("táxi amanhã às 7", time(7, 0)),
        ("at 7pm", time(19, 0)),
        ("taxi for 2 people", None),
    ],
)
def test_a_bare_hour_after_a_clock_preposition_is_a_time(text: str, expected: time | None) -> None:
    assert answers.clock_time(text) == expected
