"""Booking details: counts in digits and words, room types by synonym or typo, references."""

from __future__ import annotations

from datetime import date

import pytest

from hotelbot.engine.understand.slots import extract_slots, for_intent

TODAY = date(2027, 1, 5)

CASES = [
    (
        "en",
        "got anything for 2 ppl from the 14th to the 16th? twin beds pls",
        {
            "check_in": "2027-01-14",
            "check_out": "2027-01-16",
            "nights": 2,
            "adults": 2,
            "room_type": "twin",
        },
    ),
    (
        "en",
        "two adults and 2 kids aged 4 and 7",
        {"adults": 2, "children": 2, "child_ages": [4, 7]},
    ),
    ("en", "a couple, 3 nights", {"adults": 2, "nights": 3}),
    ("en", "me and my wife", {"adults": 2}),
    ("en", "a dubble room", {"room_type": "double"}),
    ("en", "Make it for two rooms.", {"rooms": 2}),
    ("es", "dos adultos y una suite", {"adults": 2, "room_type": "suite"}),
    ("de", "zwei Erwachsene, 2 Zimmer", {"adults": 2, "rooms": 2}),
    ("fr", "deux adultes et un enfant de 5 ans", {"adults": 2, "children": 1, "child_ages": [5]}),
    ("it", "due adulti, camera matrimoniale", {"adults": 2, "room_type": "double"}),
    ("pt", "dois adultos, quarto familiar", {"adults": 2, "room_type": "family"}),
    ("fr", "je voudrais annuler ma réservation QX4T9M svp", {"booking_ref": "QX4T9M"}),
    # The built-in PMS's references may have no digit at all.
    ("es", "mi reserva es dem-wltcnlme, apellido Ruiz", {"booking_ref": "DEM-WLTCNLME"}),
    ("en", "is the non-refundable rate cheaper?", {}),
    ("en", "we are 5 including 3 children", {"adults": 2, "children": 3}),
]


@pytest.mark.parametrize(("language", "text", "expected"), CASES)
def test_slots_state_what_the_guest_said(
    language: str, text: str, expected: dict[str, object]
) -> None:
    assert extract_slots(text, language=language, today=TODAY).as_dict() == expected


def test_a_taxi_time_is_not_a_check_in() -> None:
    slots = extract_slots("a taxi tomorrow at 7 please", language="en", today=TODAY)
    assert for_intent(slots, "service_request").check_in is None
    assert for_intent(slots, "book").check_in == date(2027, 1, 6)


def test_an_article_names_a_room_without_counting_it() -> None:
    slots = extract_slots("quiero una habitación con vistas", language="es", today=date(2027, 3, 1))
    assert slots.rooms is None
    two = extract_slots("queremos dos habitaciones", language="es", today=date(2027, 3, 1))
    assert two.rooms == 2


def test_childrens_ages_are_not_a_date_range() -> None:
    slots = extract_slots(
        "2 adultes et 2 enfants de 5 et 9 ans du 12 au 15 mai",
        language="fr",
        today=date(2027, 3, 1),
    )
    assert (slots.check_in, slots.check_out, slots.child_ages) == (
        date(2027, 5, 12),
        date(2027, 5, 15),
        (5, 9),
    )
