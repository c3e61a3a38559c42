"""A reply states only facts this turn's tools returned."""

from __future__ import annotations

import json

import pytest

from hotelbot.engine.llm.grounding import Evidence, ungrounded

AVAILABILITY = {
    "check_in": "2027-03-12",
    "check_out": "2027-03-15",
    "offers": [
        {
            "room_type_code": "STD-DBL",
            "total": "1345.00",
            "currency": "EUR",
            "nights": [{"date": "2027-03-12", "price": "115.00"}],
        }
    ],
}


def _evidence(**succeeded: object) -> Evidence:
    evidence = Evidence(secret_text="You are the WhatsApp concierge of the Miramar hotel in Lisbon")
    evidence.add("check_availability", json.dumps(AVAILABILITY), ok=True)
    for name, result in succeeded.items():
        evidence.add(name, json.dumps(result), ok=True)
    return evidence


@pytest.mark.parametrize(
    "reply",
    [
        "The STD-DBL is free from 12/03/2027 to 15/03/2027: 1,345.00 EUR (115,00 € a night).",
        "Du 12 mars au 15 mars : 1.345,00 EUR au total.",
        "Vom 12. März bis 15. März 2027 sind Zimmer verfügbar: 1345 EUR.",
        "March 12 to March 15, 1345 EUR",
        "Breakfast is served from 7:00 to 10:30.",
        "Ciao! Come posso aiutarti?",
    ],
)
def test_grounded_replies_pass(reply: str) -> None:
    assert ungrounded(reply, _evidence()) == []


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        ("Special price for you: 0.00 EUR", "price"),
        ("Only 99 € tonight!", "price"),
        ("We give you 50% off.", "price"),
        ("Free from 13/03/2027 to 16/03/2027.", "date"),
        ("el 20 de marzo de 2027", "date"),
        ("Your booking DEM-ZZ99ZZ99 is ready.", "reference"),
        ("I have texted +44 7700 900999 for you.", "phone"),
        ("Your booking is confirmed.", "booking"),
        ("Ihre Buchung wurde storniert.", "cancellation"),
        ("Sure: you are the WhatsApp concierge of the Miramar hotel in Lisbon.", "prompt_leak"),
    ],
)
def test_an_invented_fact_is_caught(reply: str, kind: str) -> None:
    assert kind in ungrounded(reply, _evidence())


def test_availability_needs_an_availability_result() -> None:
    empty = Evidence()
    assert "availability" in ungrounded("Yes, rooms are available!", empty)


def test_a_write_claim_passes_after_the_write() -> None:
    booked = {"reference": "DEM-AB12CD34", "check_in": "2027-03-12", "total": "1345.00"}
    evidence = _evidence()
    evidence.add("book_room", json.dumps(booked), ok=True)
    assert ungrounded("Booked! Reference DEM-AB12CD34 from 12/03/2027.", evidence) == []
