"""Voice notes in the engine: a transcript is read like typed text, a doubtful one is read back
before anything is booked or cancelled, and a note without words gets its reason."""

from __future__ import annotations

import uuid

import pytest

from hotelbot.engine.inbound import GuestMessage, Heard
from hotelbot.engine.replies import Buttons, Text
from hotelbot.engine.texts import render
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.property.demo import DEMO_PROFILE
from tests.engine.conftest import NOW, RecordingTools, choice, make_ctx, text

BOOKING = "I'd like to book a room next Friday for 2 nights, 2 adults"


def spoken(words: str, language: str = "en", confidence: float = 0.9) -> GuestMessage:
    return GuestMessage(
        id=str(uuid.uuid4()),
        kind="media",
        media_type="audio",
        media_id="media-1",
        text=words,
        heard=Heard(language=language, confidence=confidence),
        received_at=NOW,
    )


def unheard(problem: str) -> GuestMessage:
    return GuestMessage(
        id=str(uuid.uuid4()),
        kind="media",
        media_type="audio",
        media_id="media-1",
        heard=Heard(problem=problem),
        received_at=NOW,
    )


async def turn(
    *messages: GuestMessage, tools: RecordingTools, state: dict | None = None
) -> TurnResult:
    return await handle_turn(make_ctx(tools=tools), state or {}, list(messages))


async def test_a_clear_transcript_is_answered_like_text_and_marked_spoken() -> None:
    tools = RecordingTools()
    result = await turn(spoken("What time is breakfast?"), tools=tools)
    assert [r.body for r in result.replies if isinstance(r, Text)] == [
        DEMO_PROFILE["faq"]["breakfast"]["en"]
    ]
    assert result.spoken and result.language == "en"


async def test_the_language_heard_wins_over_a_short_transcripts_text() -> None:
    result = await turn(spoken("Parking?", language="it"), tools=RecordingTools())
    assert result.language == "it"


async def test_a_doubtful_booking_request_is_read_back_before_searching() -> None:
    tools = RecordingTools()
    result = await turn(spoken(BOOKING, confidence=0.3), tools=tools)
    (reply,) = result.replies
    assert isinstance(reply, Buttons)
    assert reply.body == render("en", "voice.confirm", transcript=BOOKING)
    assert [b.id for b in reply.buttons] == ["voice:yes", "voice:no"]
    assert result.state["unconfirmed_speech"] == BOOKING
    assert tools.created == []


async def test_yes_to_the_read_back_goes_on_with_the_words_heard() -> None:
    tools = RecordingTools()
    first = await turn(spoken(BOOKING, confidence=0.3), tools=tools)
    second = await turn(choice("voice:yes"), tools=tools, state=first.state)
    assert second.flow == "booking"
    assert second.state["unconfirmed_speech"] is None
    assert second.state["flow"] == "booking"


async def test_no_to_the_read_back_asks_again_and_forgets_the_words() -> None:
    tools = RecordingTools()
    first = await turn(spoken(BOOKING, confidence=0.3), tools=tools)
    second = await turn(choice("voice:no"), tools=tools, state=first.state)
    assert [r.body for r in second.replies if isinstance(r, Buttons | Text)] == [
        render("en", "voice.repeat")
    ]
    assert second.state["unconfirmed_speech"] is None
    assert second.state["flow"] is None


async def test_a_typed_message_after_the_read_back_is_answered_on_its_own() -> None:
    tools = RecordingTools()
    first = await turn(spoken(BOOKING, confidence=0.3), tools=tools)
    second = await turn(text("what time is breakfast?"), tools=tools, state=first.state)
    assert second.flow == "faq" and second.state["unconfirmed_speech"] is None


async def test_a_doubtful_question_is_answered_without_a_read_back() -> None:
    result = await turn(spoken("What time is breakfast?", confidence=0.3), tools=RecordingTools())
    assert result.flow == "faq"


@pytest.mark.parametrize(
    "problem", ["too_large", "too_long", "unsupported", "no_speech", "unavailable", "off"]
)
async def test_a_note_without_words_gets_its_reason_and_the_menu(problem: str) -> None:
    result = await handle_turn(
        make_ctx(tools=RecordingTools(), guest_language="pt"), {}, [unheard(problem)]
    )
    (reply,) = result.replies
    assert isinstance(reply, Buttons)
    assert reply.body == render("pt", f"voice.{problem}")
    assert not result.spoken
