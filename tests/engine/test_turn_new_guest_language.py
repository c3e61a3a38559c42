"""A brand-new guest's first, too-short-to-tell message is answered in their number's language;
what they write, and the language they used before, still come first."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hotelbot.engine.context import TurnContext
from hotelbot.engine.replies import Buttons, ListMessage, Text
from hotelbot.engine.texts import render
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.engine.understand.phone_language import language_for_number
from hotelbot.property.demo import DEMO_NAME
from tests.engine.conftest import make_ctx, text

#: Fictional numbers: a calling code and made-up digits.
ITALY = "393471200011"
SPAIN = "34612000111"
UK = "447700900123"
GERMANY = "4915112000111"
BRAZIL = "5511912000111"


def ctx_for_number(wa_id: str, **overrides: Any) -> TurnContext:
    """The context `build_turn_context` gives a new guest with this number."""
    ctx = make_ctx(**overrides)
    return replace(ctx, guest=replace(ctx.guest, likely_language=language_for_number(wa_id)))


async def first_turn(wa_id: str, body: str, **overrides: Any) -> TurnResult:
    return await handle_turn(ctx_for_number(wa_id, **overrides), {}, [text(body)])


def bodies(result: TurnResult) -> list[str]:
    return [r.body for r in result.replies if isinstance(r, Text | Buttons | ListMessage)]


@pytest.mark.parametrize(
    ("wa_id", "language"), [(ITALY, "it"), (SPAIN, "es"), (BRAZIL, "pt"), (UK, "en")]
)
async def test_a_new_guests_si_is_answered_in_their_countrys_language(
    wa_id: str, language: str
) -> None:
    result = await first_turn(wa_id, "si")
    assert bodies(result)[0] == render(language, "greeting.body", hotel=DEMO_NAME)
    assert result.state["language"] == language


async def test_a_new_guests_stop_is_confirmed_in_their_countrys_language() -> None:
    result = await first_turn(GERMANY, "STOP")
    assert bodies(result) == [render("de", "optout.confirm", hotel=DEMO_NAME)]


async def test_what_a_new_guest_writes_outweighs_their_number() -> None:
    spanish = await first_turn(UK, "Hola, quiero reservar")
    assert bodies(spanish) == [render("es", "booking.ask_dates")]
    english = await first_turn(SPAIN, "Good morning")
    assert bodies(english)[0] == render("en", "greeting.body", hotel=DEMO_NAME)


async def test_a_guest_who_wrote_german_before_keeps_german_whatever_their_number() -> None:
    result = await handle_turn(ctx_for_number(SPAIN), {"language": "de"}, [text("ok")])
    assert result.state["language"] == "de"
    assert bodies(result)[0] == render("de", "greeting.body", hotel=DEMO_NAME)


async def test_a_number_in_a_language_the_hotel_does_not_offer_gets_the_hotels_default() -> None:
    result = await first_turn(ITALY, "si", languages=("es", "en"), default_language="es")
    assert result.state["language"] == "es"
    assert bodies(result)[0] == render("es", "greeting.body", hotel=DEMO_NAME)


async def test_without_a_prior_a_new_guests_si_gets_the_hotels_default() -> None:
    swiss = "41791200011"
    result = await first_turn(swiss, "si", default_language="fr")
    assert result.state["language"] == "fr"
