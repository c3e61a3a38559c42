"""Find, show, change and cancel my booking: multi-turn, in several languages, over a fake PMS."""

from __future__ import annotations

from datetime import date

import pytest

from hotelbot.engine.flows import manage
from hotelbot.engine.texts import render
from hotelbot.pms.schemas import ReservationStatus
from tests.engine.fakes import NON_REFUNDABLE, FakeTools, house_tools
from tests.engine.flow_kit import Guest

# The conversation's "now" is 2027-03-04 09:30 UTC (tests/engine/conftest.NOW).
LATER = date(2027, 3, 20)  # free cancellation until 18 March 15:00
SOON = date(2027, 3, 5)  # free cancellation ended on 3 March


def guest(language: str, tools: FakeTools | None = None) -> Guest:
    return Guest(manage.step, language, tools or house_tools())


SHOW = [
    ("en", "I'd like to see my booking", "330.00 EUR", "20/03/2027"),
    ("es", "quiero ver mi reserva", "330,00 EUR", "20/03/2027"),
    ("de", "Ich möchte meine Buchung sehen", "330,00 EUR", "20.03.2027"),
]


@pytest.mark.parametrize(("language", "message", "total", "arrival"), SHOW)
async def test_my_booking_is_found_by_my_number_and_shown(
    language: str, message: str, total: str, arrival: str
) -> None:
    g = guest(language)
    g.tools.add("HB7K2Q", last_name="Lopes", check_in=LATER, nights=3, adults=2)

    seen = await g.says(message)

    assert "HB7K2Q" in seen.text
    assert arrival in seen.text and total in seen.text
    assert render(language, "manage.what_next") in seen.text
    assert seen.choices == ["manage:act:change", "manage:act:cancel", "menu:human"]
    # Found by the guest's number alone (no reference asked); the room type only for its name.
    assert g.tools.calls == ["my_bookings", "room_types"]
    assert "Double Room Garden" in seen.text and "DBL" not in seen.text


async def test_a_room_type_the_pms_does_not_list_is_shown_by_its_code() -> None:
    g = guest("fr")
    g.tools.add("HB7K2Q", last_name="Lopes", check_in=LATER)
    g.tools.rooms = []

    seen = await g.says("je voudrais voir ma réservation")

    assert "HB7K2Q" in seen.text and "DBL" in seen.text


async def test_several_bookings_are_offered_as_a_list_to_choose_from() -> None:
    g = guest("pt")
    g.tools.add("HB1111", last_name="Lopes", check_in=LATER)
    g.tools.add("HB2222", last_name="Lopes", check_in=date(2027, 4, 2), nights=2)
    g.tools.add("HB0000", last_name="Other", phone="+351910009999", check_in=LATER)

    seen = await g.says("quero ver a minha reserva")
    assert seen.choices == ["manage:pick:HB1111", "manage:pick:HB2222"]
    assert "02/04/2027" in seen.rows_text

    assert "Double Room Garden" in seen.rows_text

    seen = await g.presses("manage:pick:HB2222")
    assert "HB2222" in seen.text and "HB1111" not in seen.text
    assert "220,00 EUR" in seen.text


CHANGES = [
    ("en", "I need to change my booking", "from 21 to 25 March", "yes", "440.00 EUR", "+110.00"),
    ("fr", "je veux modifier ma réservation", "du 21 au 25 mars", "oui", "440,00 EUR", "+110,00"),
    ("it", "devo modificare la prenotazione", "dal 21 al 25 marzo", "sì", "440,00 EUR", "+110,00"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "ask", "dates", "yes", "total", "difference"), CHANGES)
async def test_changing_dates_shows_the_new_price_and_changes_only_after_yes(
    language: str, ask: str, dates: str, yes: str, total: str, difference: str
) -> None:
    g = guest(language)
    g.tools.add("HB7K2Q", last_name="Lopes", check_in=LATER, nights=3, adults=2)

    seen = await g.says(ask)
    assert "HB7K2Q" in seen.text
    assert render(language, "manage.change_ask") in seen.text

    seen = await g.says(dates)
    assert total in seen.text and difference in seen.text
    assert seen.choices == ["manage:change:yes", "manage:change:no"]
    assert g.tools.reservations["HB7K2Q"].check_in == LATER  # nothing changed yet
    assert "change_booking" not in g.tools.calls

    seen = await g.says(yes)
    changed = g.tools.reservations["HB7K2Q"]
    assert (changed.check_in, changed.check_out) == (date(2027, 3, 21), date(2027, 3, 25))
    assert render(language, "manage.changed") in seen.text
    assert total in seen.text and "25/03/2027" in seen.text
    assert g.state.flow is None


async def test_a_change_stated_up_front_is_quoted_at_once_and_no_keeps_the_booking() -> None:
    g = guest("en")
    g.tools.add("HB7K2Q", last_name="Lopes", check_in=LATER, nights=3, adults=2)

    seen = await g.says("can I change my booking to 3 adults?")
    assert "390.00 EUR" in seen.text and "+60.00 EUR" in seen.text

    seen = await g.presses("manage:change:no")
    assert seen.text == render("en", "manage.unchanged")
    assert g.tools.reservations["HB7K2Q"].occupancy.adults == 2
    assert "change_booking" not in g.tools.calls


CANCELS = [
    ("en", "please cancel my booking", "110.00 EUR", "yes"),
    ("es", "quiero cancelar mi reserva", "110,00 EUR", "sí"),
    ("pt", "quero cancelar a minha reserva", "110,00 EUR", "sim"),
]


@pytest.mark.parametrize(("language", "ask", "fee", "yes"), CANCELS)
async def test_cancelling_shows_the_fee_first_then_cancels_on_yes(
    language: str, ask: str, fee: str, yes: str
) -> None:
    g = guest(language)
    g.tools.add("HB5P3X", last_name="Lopes", check_in=SOON, nights=3, adults=2)

    seen = await g.says(ask)
    assert "HB5P3X" in seen.text and fee in seen.text
    assert seen.choices == ["manage:cancel:yes", "manage:cancel:no"]
    before = g.tools.reservations["HB5P3X"].status

    seen = await g.says(yes)
    after = g.tools.reservations["HB5P3X"].status
    assert (before, after) == (ReservationStatus.CONFIRMED, ReservationStatus.CANCELLED)
    refund = "220.00 EUR" if language == "en" else "220,00 EUR"
    assert fee in seen.text and refund in seen.text


async def test_free_cancellation_states_the_deadline_in_the_hotels_time() -> None:
    g = guest("de")
    g.tools.add("HB7K2Q", last_name="Lopes", check_in=LATER)

    seen = await g.says("Ich möchte meine Buchung stornieren")
    assert "0,00 EUR" in seen.text and "18.03.2027 15:00" in seen.text

    seen = await g.presses("manage:cancel:no")
    assert seen.text == render("de", "manage.kept")
    assert g.tools.reservations["HB7K2Q"].status is ReservationStatus.CONFIRMED


async def test_a_non_refundable_booking_says_so_before_cancelling() -> None:
    g = guest("en")
    g.tools.add("HB9NR1", last_name="Lopes", check_in=LATER, policy=NON_REFUNDABLE)

    seen = await g.says("cancel my reservation")
    assert "non-refundable" in seen.text and "330.00 EUR of the 330.00 EUR" in seen.text


@pytest.mark.parametrize(
    ("language", "ask"),
    [("en", "cancel my booking"), ("es", "cancelar mi reserva"), ("fr", "annuler ma réservation")],
)
async def test_someone_elses_reference_with_a_wrong_surname_learns_nothing(
    language: str, ask: str
) -> None:
    tools = house_tools()
    tools.add("ZX91QK", last_name="Moreau", phone="+33612345678", check_in=LATER)
    g = guest(language, tools)

    seen = await g.says(ask)
    assert seen.text == render(language, "manage.ask_reference")

    wrong_name = await g.says("ZX91QK Smith")
    unknown_ref = await g.says("QQ48213 Smith")
    assert wrong_name.text == unknown_ref.text == render(language, "manage.not_found")
    assert "ZX91QK" not in wrong_name.text
    assert "cancel_booking" not in tools.calls
    assert tools.reservations["ZX91QK"].status is ReservationStatus.CONFIRMED

    # A third wrong pair hands the guest to staff instead of letting them keep guessing.
    await g.says("ZX91QK Dupont")
    assert tools.handoffs and g.state.flow is None


async def test_a_reference_with_the_right_surname_can_be_cancelled_from_another_number() -> None:
    tools = house_tools()
    tools.add("ZX91QK", last_name="Núñez", phone="+34600111222", check_in=LATER)
    g = guest("es", tools)

    await g.says("quiero cancelar mi reserva")
    seen = await g.says("ZX91QK")
    assert seen.text == render("es", "manage.ask_surname")
    seen = await g.says("Nunez")
    assert "ZX91QK" in seen.text and "0,00 EUR" in seen.text
    assert "ZX91QK" in g.state.verified_refs

    seen = await g.presses("manage:cancel:yes")
    assert tools.reservations["ZX91QK"].status is ReservationStatus.CANCELLED
    assert "ZX91QK" in seen.text


@pytest.mark.parametrize("language", ["en", "it"])
async def test_pms_down_apologises_and_offers_staff(language: str) -> None:
    g = guest(language)
    g.tools.down = True

    seen = await g.says("cancel my booking" if language == "en" else "annullare la prenotazione")
    assert render(language, "manage.pms_down") in seen.text
    assert seen.choices == ["menu:human"]
    assert g.state.flow is None


async def test_through_the_engine_a_pressed_yes_cancels_and_typed_words_reach_the_flow() -> None:
    from hotelbot.engine.turn import handle_turn
    from tests.engine.conftest import choice, make_ctx, text

    tools = house_tools()
    tools.add("HB7K2Q", last_name="Lopes", check_in=LATER)
    ctx = make_ctx(tools=tools)  # type: ignore[arg-type]
    first = await handle_turn(ctx, {}, [text("I want to cancel my booking")])
    assert first.flow == "manage"
    second = await handle_turn(ctx, first.state, [choice("manage:cancel:yes")])
    assert tools.reservations["HB7K2Q"].status is ReservationStatus.CANCELLED
    assert second.state["flow"] is None


ANSWERS = [
    ("en", "I need to change my booking", "from 21/03 to 25/03"),
    ("it", "vorrei modificare la mia prenotazione", "dal 21/03 al 25/03"),
    ("es", "quiero cambiar mi reserva", "del 21/03 al 25/03"),
    ("en", "I need to change my booking", "change the dates to 21/03 - 25/03"),
    ("en", "I need to change my booking", "3 adults"),
]


@pytest.mark.parametrize(("language", "ask", "answer"), ANSWERS)
async def test_new_dates_typed_as_the_answer_stay_in_the_change_not_a_new_booking(
    language: str, ask: str, answer: str
) -> None:
    from hotelbot.engine.turn import handle_turn
    from tests.engine.conftest import make_ctx, text

    tools = house_tools()
    tools.add("HB7K2Q", last_name="Lopes", check_in=LATER, nights=3, adults=2)
    ctx = make_ctx(tools=tools, guest_language=language)  # type: ignore[arg-type]
    first = await handle_turn(ctx, {}, [text(ask)])
    assert first.state["flow_data"]["stage"] == "change_ask"

    second = await handle_turn(ctx, first.state, [text(answer)])

    assert second.flow == "manage"
    assert second.state["flow_data"]["stage"] == "change_confirm"
    assert [r.id for r in second.replies[-1].buttons] == [  # type: ignore[union-attr]
        "manage:change:yes",
        "manage:change:no",
    ]


async def test_naming_a_new_booking_still_leaves_the_change_for_the_booking_flow() -> None:
    from hotelbot.engine.turn import handle_turn
    from tests.engine.conftest import make_ctx, text

    tools = house_tools()
    tools.add("HB7K2Q", last_name="Lopes", check_in=LATER, nights=3, adults=2)
    ctx = make_ctx(tools=tools)  # type: ignore[arg-type]
    first = await handle_turn(ctx, {}, [text("I need to change my booking")])

    second = await handle_turn(
        ctx, first.state, [text("actually I want to book another room from 21/03 to 25/03")]
    )

    assert second.flow == "booking"
