"""A guest who sends card details is told, in their language, not to; nothing else is done."""

from __future__ import annotations

import pytest

from hotelbot.engine.inbound import GuestMessage
from hotelbot.engine.replies import Text
from hotelbot.engine.texts import render
from hotelbot.engine.turn import CARD_DETAILS, handle_turn
from hotelbot.kit.redact import redact_card_details
from hotelbot.property.demo import DEMO_NAME
from tests.engine.conftest import make_ctx, text

CARD_MESSAGES = {
    "en": "here is my card 4111 1111 1111 1111 expiry 12/27 cvv 123",
    "es": "te paso mi tarjeta 4111 1111 1111 1111 caducidad 12/27 cvv 123",
    "de": "hier ist meine Kreditkarte 4111 1111 1111 1111 gültig bis 12/27",
    "fr": "voici ma carte bancaire 4111 1111 1111 1111 cryptogramme 123",
    "it": "ecco la mia carta di credito 4111 1111 1111 1111 scadenza 12/27",
    "pt": "aqui está o meu cartão 4111 1111 1111 1111 validade 12/27",
}


def stored(typed: str) -> GuestMessage:
    """What the inbox hands the engine: the text as it was stored."""
    return text(redact_card_details(typed).text)


@pytest.mark.parametrize("language", sorted(CARD_MESSAGES))
async def test_card_details_get_a_warning_in_the_guests_language(language: str) -> None:
    result = await handle_turn(make_ctx(), None, [stored(CARD_MESSAGES[language])])
    assert result.flow == CARD_DETAILS
    warning = render(language, "safety.card_details", hotel=DEMO_NAME)
    assert result.replies == [Text(body=warning)]
    assert result.state["language"] == language


async def test_card_details_mid_booking_change_nothing_the_booking_collected() -> None:
    ctx = make_ctx()
    started = await handle_turn(
        ctx, None, [text("I'd like to book a room from 10 to 12 March for 2 adults")]
    )
    after = await handle_turn(ctx, started.state, [stored("card 5500 0000 0000 0004")])
    assert after.flow == CARD_DETAILS
    assert after.state["flow"] == started.state["flow"] == "booking"
    assert after.state["flow_data"] == started.state["flow_data"]


async def test_a_question_in_the_same_burst_is_answered_after_the_warning() -> None:
    burst = [stored("my card is 4111-1111-1111-1111"), text("what time is check-in?")]
    result = await handle_turn(make_ctx(), None, burst)
    bodies = [r.body for r in result.replies if isinstance(r, Text)]
    assert bodies[0] == render("en", "safety.card_details", hotel=DEMO_NAME)
    assert any("check-in" in b.lower() for b in bodies[1:])
    assert all("1111" not in b for b in bodies[1:])
