"""The booking flow, turn by turn, with the in-memory PMS of `tests/engine/fakes.py`."""

from __future__ import annotations

from typing import Any

import pytest

from hotelbot.engine.replies import Buttons, ListMessage, Text
from hotelbot.engine.texts import render
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.pms.errors import PmsUnavailable
from tests.engine.conftest import choice, make_ctx, text
from tests.engine.fakes import GUEST_PHONE, FakeTools


class Guest:
    """One guest talking to the engine; keeps the state between turns like the worker does."""

    def __init__(self, language: str = "en") -> None:
        self.tools = FakeTools()
        self.state: dict[str, Any] = {"language": language}

    async def says(self, *messages: Any) -> TurnResult:
        msgs = [text(m) if isinstance(m, str) else m for m in messages]
        result = await handle_turn(make_ctx(tools=self.tools), self.state, msgs)
        self.state = result.state
        return result


def offers(result: TurnResult) -> ListMessage:
    return next(r for r in result.replies if isinstance(r, ListMessage))


def buttons(result: TurnResult) -> Buttons:
    return next(r for r in result.replies if isinstance(r, Buttons))


def bodies(result: TurnResult) -> list[str]:
    return [r.body for r in result.replies if isinstance(r, Text | Buttons | ListMessage)]


async def test_a_booking_in_english_from_dates_to_reference() -> None:
    guest = Guest("en")
    asked = await guest.says("I'd like to book a room")
    assert bodies(asked) == [render("en", "booking.ask_dates")]
    asked = await guest.says("from 10 to 12 March")
    assert bodies(asked) == [render("en", "booking.ask_guests")]
    listing = await guest.says("2 adults")
    rows = offers(listing).sections[0].rows
    assert 1 <= len(rows) <= 10
    assert all(len(r.title) <= 24 and len(r.description or "") <= 72 for r in rows)
    # Cheapest first: a twin at 110.00 x 0.90 for 2 nights.
    assert rows[0].title == "Twin Room" and rows[0].description == "Non-refundable · 198.00 EUR"
    summary = buttons(await guest.says(choice(rows[0].id, rows[0].title)))
    assert "198.00 EUR" in summary.body and "10/03/2027" in summary.body
    assert [b.id for b in summary.buttons] == ["book:confirm", "book:change", "book:cancel"]
    asked = await guest.says(choice("book:confirm", "Confirm"))
    assert bodies(asked) == [render("en", "booking.ask_name")]
    done = await guest.says("Ana Sousa")
    (made,) = guest.tools.reservations.values()
    assert made.guest.first_name == "Ana" and made.guest.last_name == "Sousa"
    assert made.guest.phone == GUEST_PHONE
    assert made.occupancy.adults == 2 and made.room_type_code == "TWN"
    assert f"Reference: {made.reference}" in bodies(done)[0]
    assert done.state["flow"] is None


async def test_spanish_details_in_one_message_and_money_in_spanish() -> None:
    guest = Guest("es")
    listing = await guest.says(
        "Quiero reservar una habitación doble del 10 al 12 de marzo para 2 adultos"
    )
    rows = offers(listing).sections[0].rows
    assert rows[0].title == "Double Room"  # the preference comes first
    assert rows[0].description == "No reembolsable · 216,00 EUR"


async def test_changing_one_detail_keeps_the_rest_in_german() -> None:
    guest = Guest("de")
    await guest.says("Ich möchte ein Zimmer buchen vom 10. bis 12. März")
    await guest.says("2 Erwachsene")
    listing = await guest.says("eigentlich 3 Erwachsene")
    assert "3" in offers(listing).body
    assert guest.state["flow_data"]["check_in"] == "2027-03-10"
    assert guest.state["flow_data"]["check_out"] == "2027-03-12"
    assert guest.state["flow_data"]["adults"] == 3
    # Only rooms for three are offered now.
    assert {r.title for r in offers(listing).sections[0].rows} == {"Family Room", "Sea View Suite"}


async def test_a_question_mid_booking_is_answered_then_the_booking_resumes() -> None:
    guest = Guest("en")
    await guest.says("I want to book a room from 10 to 12 March")
    result = await guest.says("is there a pool?")
    said = bodies(result)
    assert render("en", "booking.resume") in said
    assert said[-1] == render("en", "booking.ask_guests")
    assert guest.state["flow"] == "booking"
    listing = await guest.says("2 adults")
    assert offers(listing).sections[0].rows


async def test_children_need_their_ages() -> None:
    guest = Guest("en")
    await guest.says("book a room from 10 to 12 March")
    asked = await guest.says("2 adults and 2 children")
    assert bodies(asked) == [render("en", "booking.ask_ages")]
    listing = await guest.says("aged 4 and 7")
    assert guest.state["flow_data"]["child_ages"] == [4, 7]
    assert offers(listing).sections[0].rows[0].title == "Family Room"


async def test_past_dates_and_ambiguous_dates_are_asked_again() -> None:
    guest = Guest("en")
    past = await guest.says("book a room from 1 to 3 February 2027")
    assert bodies(past) == [render("en", "booking.past_dates")]


async def test_the_pms_down_is_an_apology_with_staff_offered() -> None:
    guest = Guest("fr")
    await guest.says("Je voudrais réserver une chambre du 10 au 12 mars")
    guest.tools.fail_with = PmsUnavailable("down")
    down = await guest.says("2 adultes")
    menu = buttons(down)
    assert menu.body == render("fr", "booking.pms_down", hotel="")
    assert "menu:human" in [b.id for b in menu.buttons]
    retry = await guest.says(choice("menu:book", "Réserver"))
    assert offers(retry).sections[0].rows


async def test_a_sold_out_room_is_re_offered() -> None:
    guest = Guest("it")
    listing = await guest.says("Vorrei prenotare una camera dal 10 al 12 marzo per 2 adulti")
    row = offers(listing).sections[0].rows[0]
    guest.tools.sold_out.add(row.id.split(":")[-1].split("|")[0])
    again = await guest.says(choice(row.id, row.title))
    assert render("it", "booking.sold_out") in bodies(again)
    assert row.title not in {r.title for r in offers(again).sections[0].rows}


async def test_a_rerun_turn_books_once_and_cancel_books_nothing() -> None:
    guest = Guest("pt")
    await guest.says("Quero reservar um quarto de 10 a 12 de março para 2 adultos")
    listing_state = guest.state
    rows = offers(await guest.says("Quero reservar um quarto de 10 a 12 de março para 2 adultos"))
    await guest.says(choice(rows.sections[0].rows[0].id, "x"))
    await guest.says(choice("book:confirm", "Confirmar"))
    before = guest.state
    name = text("Rui Costa")
    await handle_turn(make_ctx(tools=guest.tools), before, [name])
    await handle_turn(make_ctx(tools=guest.tools), before, [name])
    assert len(guest.tools.reservations) == 1
    other = Guest("pt")
    other.state = listing_state
    cancelled = await other.says(choice("book:cancel", "Cancelar"))
    assert bodies(cancelled) == [render("pt", "booking.cancelled")]
    assert other.tools.reservations == {}


async def test_too_many_guests_go_to_the_reservations_team() -> None:
    guest = Guest("en")
    result = await guest.says("book 5 rooms from 10 to 12 March for 25 people")
    assert bodies(result) == [render("en", "booking.too_many")]
    assert guest.tools.handoffs == [HandoffReason.BOOKING_REQUEST]
    assert guest.tools.calls == []  # no search for a group the bot cannot book


NAMES = [
    ("en", "My name is Ana Sousa", "Ana", "Sousa"),
    ("pt", "Maria José da Silva", "Maria José", "da Silva"),
    ("es", "me llamo Juan García López", "Juan", "García López"),
    ("es", "José Ortega y Gasset", "José", "Ortega y Gasset"),
    ("es", "María José de la Cruz Núñez", "María José", "de la Cruz Núñez"),
    ("es", "Lucía Fernández", "Lucía", "Fernández"),
    ("de", "Jan van der Berg", "Jan", "van der Berg"),
    ("it", "Anna Maria Rossi", "Anna Maria", "Rossi"),
    ("fr", "Jean-Luc", "Jean-Luc", ""),
]


ASK_TO_BOOK = {
    "en": "I'd like to book a room from 10 to 12 March for 2 adults",
    "es": "Quiero reservar una habitación del 10 al 12 de marzo para 2 adultos",
}


@pytest.mark.parametrize(("language", "typed", "first", "last"), NAMES)
async def test_the_typed_full_name_books_first_name_and_surname_and_the_surname_finds_it(
    language: str, typed: str, first: str, last: str
) -> None:
    guest = Guest(language)
    await _at_the_name_question(guest, ASK_TO_BOOK.get(language, ASK_TO_BOOK["en"]))

    await guest.says(typed)

    (made,) = guest.tools.reservations.values()
    assert (made.guest.first_name, made.guest.last_name) == (first, last)
    if not last:
        return
    # Someone writing from another number proves the booking with reference + surname.
    other = FakeTools(phone="+447700900999", reservations=guest.tools.reservations)
    state: dict[str, Any] = {"language": language}
    for message in ("I want to see my booking", f"{made.reference} {last}"):
        result = await handle_turn(make_ctx(tools=other), state, [text(message)])
        state = result.state
    assert made.reference in "\n".join(bodies(result))
    assert other.verified == {made.reference}


async def _at_the_name_question(guest: Guest, ask: str) -> None:
    listing = await guest.says(ask)
    row = offers(listing).sections[0].rows[0]
    await guest.says(choice(row.id, row.title))
    await guest.says(choice("book:confirm", "Confirm"))


async def test_a_pms_that_needs_an_e_mail_gets_one_asked_for_after_the_name() -> None:
    guest = Guest("es")
    guest.tools.email_required = True
    await _at_the_name_question(guest, "Quiero reservar del 10 al 12 de marzo para 2 adultos")
    asked = await guest.says("Carmen Domingo")
    assert bodies(asked) == [render("es", "booking.ask_email")]
    assert not guest.tools.reservations
    again = await guest.says("no sé, ¿hace falta?")
    assert bodies(again) == [render("es", "booking.ask_email_again")]
    done = await guest.says("carmen.domingo1985@correo.es")
    (made,) = guest.tools.reservations.values()
    # A surname that reads as a weekday is a name, and the digits in the address are no guests.
    assert (made.guest.first_name, made.guest.last_name) == ("Carmen", "Domingo")
    assert made.guest.email == "carmen.domingo1985@correo.es"
    assert made.occupancy.adults == 2 and made.check_in.day == 10
    assert made.reference in bodies(done)[0]


async def test_name_and_e_mail_in_one_message_book_at_once() -> None:
    guest = Guest("en")
    guest.tools.email_required = True
    await _at_the_name_question(guest, "I'd like to book a room from 10 to 12 March for 2 adults")
    done = await guest.says("Ana Sousa and my email is ana.sousa@example.org")
    (made,) = guest.tools.reservations.values()
    assert (made.guest.first_name, made.guest.last_name) == ("Ana", "Sousa")
    assert made.guest.email == "ana.sousa@example.org"
    assert made.reference in bodies(done)[0]


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "My email is ana.sousa@example.org, Ana Sousa"),
        ("en", "ana.sousa@example.org and my name is Ana Sousa"),
        ("en", "ana.sousa@example.org is my email, Ana Sousa"),
        ("en", "Ana Sousa and my email is ana.sousa@example.org."),
        ("es", "Mi correo es ana.sousa@example.org y me llamo Ana Sousa"),
        ("pt", "Ana Sousa e o meu email é ana.sousa@example.org."),
    ],
)
async def test_name_and_e_mail_in_either_order_book_under_the_name(
    language: str, typed: str
) -> None:
    guest = Guest(language)
    guest.tools.email_required = True
    ask = {
        "en": "I'd like to book a room from 10 to 12 March for 2 adults",
        "es": "Quiero reservar del 10 al 12 de marzo para 2 adultos",
        "pt": "Quero reservar um quarto de 10 a 12 de março para 2 adultos",
    }[language]
    await _at_the_name_question(guest, ask)
    await guest.says(typed)
    (made,) = guest.tools.reservations.values()
    assert (made.guest.first_name, made.guest.last_name) == ("Ana", "Sousa")
    assert made.guest.email == "ana.sousa@example.org"


async def test_no_e_mail_is_asked_when_the_pms_does_not_need_it() -> None:
    guest = Guest("de")
    await _at_the_name_question(guest, "Ich möchte vom 10. bis 12. März für 2 Erwachsene buchen")
    await guest.says("Jonas Weber")
    (made,) = guest.tools.reservations.values()
    assert made.guest.email is None


async def test_a_guest_without_an_e_mail_is_handed_to_staff_not_looped() -> None:
    guest = Guest("en")
    guest.tools.email_required = True
    await _at_the_name_question(guest, "I'd like to book a room from 10 to 12 March for 2 adults")
    await guest.says("Ana Sousa")
    await guest.says("I don't have one")
    result = await guest.says("sorry, no email")
    assert guest.tools.handoffs and not guest.tools.reservations
    assert result.state["flow"] is None


async def test_a_changed_detail_at_the_name_question_is_quoted_again_not_booked_silently() -> None:
    guest = Guest("en")
    await _at_the_name_question(guest, "I'd like to book a room from 10 to 12 March for 2 adults")
    listing = await guest.says("actually three adults")
    assert not guest.tools.reservations
    assert offers(listing).sections[0].rows  # new offers for three, to pick and confirm again


async def test_an_address_sent_before_the_name_is_kept_for_the_booking() -> None:
    guest = Guest("en")
    guest.tools.email_required = True
    await _at_the_name_question(guest, "I'd like to book a room from 10 to 12 March for 2 adults")
    asked = await guest.says("ana.sousa@example.org")
    assert bodies(asked) == [render("en", "booking.ask_name")]
    await guest.says("Ana Sousa")
    (made,) = guest.tools.reservations.values()
    assert (made.guest.last_name, made.guest.email) == ("Sousa", "ana.sousa@example.org")
