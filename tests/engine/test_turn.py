"""handle_turn end to end, without a database: what the guest would see, and what staff get."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from hotelbot.engine.inbound import GuestMessage
from hotelbot.engine.replies import Buttons, ListMessage, Location, Reply, Text
from hotelbot.engine.state import ConversationState
from hotelbot.engine.texts import render
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.property.demo import DEMO_NAME, DEMO_PROFILE
from tests.engine.conftest import RecordingTools, choice, make_ctx, media, message, text

REPLY = TypeAdapter(Reply)


async def turn(
    *messages: GuestMessage,
    tools: RecordingTools | None = None,
    state: dict[str, Any] | None = None,
    **ctx: Any,
) -> TurnResult:
    result = await handle_turn(make_ctx(tools=tools, **ctx), state or {}, list(messages))
    for reply in result.replies:  # every reply survives the channel's limits and JSON
        assert REPLY.validate_json(REPLY.dump_json(reply)) == reply
    return result


def bodies(result: TurnResult) -> list[str]:
    return [r.body for r in result.replies if isinstance(r, Text | Buttons | ListMessage)]


GREETINGS = [
    ("hello", "en"), ("hola", "es"), ("guten Tag", "de"), ("bonjour", "fr"),
    ("ciao", "it"), ("olá", "pt"), ("Good morning!", "en"), ("buenas tardes", "es"),
]  # fmt: skip


@pytest.mark.parametrize(("greeting", "language"), GREETINGS)
async def test_a_greeting_is_answered_in_its_language_with_the_menu(
    greeting: str, language: str
) -> None:
    result = await turn(text(greeting))
    (reply,) = result.replies
    assert isinstance(reply, Buttons)
    assert reply.body == render(language, "greeting.body", hotel=DEMO_NAME)
    assert [b.id for b in reply.buttons] == ["menu:info", "menu:book", "menu:human"]
    assert result.state["language"] == language
    assert result.flow == "small_talk"


BREAKFAST = [
    ("what time is breakfast?", "en"), ("¿a qué hora es el desayuno?", "es"),
    ("Wann gibt es Frühstück?", "de"), ("À quelle heure est le petit-déjeuner ?", "fr"),
    ("A che ora è la colazione?", "it"), ("A que horas é o pequeno-almoço?", "pt"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "language"), BREAKFAST)
async def test_breakfast_question_gets_the_profiles_answer_in_that_language(
    question: str, language: str
) -> None:
    tools = RecordingTools()
    result = await turn(text(question), tools=tools)
    assert bodies(result) == [DEMO_PROFILE["faq"]["breakfast"][language]]
    assert tools.handoffs == []
    assert result.flow == "faq"


@pytest.mark.parametrize(
    ("stop", "language"), [("STOP", "en"), ("baja", "es"), ("abmelden", "de"), ("sair", "pt")]
)
async def test_opt_out_is_confirmed_then_nothing_more_is_sent(stop: str, language: str) -> None:
    tools = RecordingTools()
    first = await turn(text(stop), tools=tools, guest_language=language)
    assert bodies(first) == [render(language, "optout.confirm", hotel=DEMO_NAME)]
    assert first.state["opted_out"] is True
    assert tools.opt_outs == [True]
    for later in (text("hola"), text("what time is breakfast?"), media("audio"), text("STOP")):
        after = await turn(later, tools=tools, state=first.state)
        assert after.replies == []
    assert tools.handoffs == []


async def test_start_opts_the_guest_back_in() -> None:
    tools = RecordingTools()
    result = await turn(text("START"), tools=tools, state={"opted_out": True, "language": "it"})
    assert result.state["opted_out"] is False
    assert tools.opt_outs == [False]
    assert bodies(result) == [render("it", "optin.confirm")]


async def test_a_guest_opted_out_on_their_record_gets_nothing() -> None:
    assert (await turn(text("hello"), opted_out=True)).replies == []


async def test_what_is_not_understood_is_asked_again_then_goes_to_staff() -> None:
    tools = RecordingTools()
    first = await turn(text("my grandmother knits scarves"), tools=tools)
    assert bodies(first) == [render("en", "rephrase.prompt")]
    assert tools.handoffs == []
    assert first.state["failures"] == 1
    second = await turn(text("what is the capital of peru"), tools=tools, state=first.state)
    assert bodies(second) == [render("en", "handoff.unknown")]
    assert tools.handoffs == [HandoffReason.NOT_UNDERSTOOD]
    assert second.state["failures"] == 2


async def test_an_understood_turn_resets_the_miss_count() -> None:
    first = await turn(text("my grandmother knits scarves"))
    second = await turn(text("is there a pool?"), state=first.state)
    third = await turn(text("my grandmother knits scarves"), state=second.state)
    assert bodies(third) == [render("en", "rephrase.prompt")]


async def test_a_complaint_goes_to_staff_at_once() -> None:
    tools = RecordingTools()
    result = await turn(text("this is ridiculous, worst service ever"), tools=tools)
    assert bodies(result) == [render("en", "handoff.frustration")]
    assert tools.handoffs == [HandoffReason.FRUSTRATION]


async def test_asking_for_a_human_hands_over() -> None:
    tools = RecordingTools()
    result = await turn(text("Quiero hablar con una persona"), tools=tools)
    assert bodies(result) == [render("es", "handoff.requested")]
    assert tools.handoffs == [HandoffReason.GUEST_REQUEST]


async def test_the_book_button_starts_a_booking() -> None:
    tools = RecordingTools()
    result = await turn(choice("menu:book", "Reservar"), tools=tools, state={"language": "es"})
    assert bodies(result) == [render("es", "booking.ask_dates")]
    assert result.state["flow"] == "booking"
    assert tools.handoffs == []


async def test_the_info_button_lists_topics_and_a_row_answers_it() -> None:
    listed = await turn(choice("menu:info", "Infos hôtel"), state={"language": "fr"})
    (topics,) = listed.replies
    assert isinstance(topics, ListMessage)
    row = topics.sections[0].rows[0]
    answered = await turn(choice(row.id, row.title), state=listed.state)
    assert bodies(answered) == [DEMO_PROFILE["faq"]["checkin_time"]["fr"]]


async def test_a_short_neutral_message_stays_in_the_conversations_language() -> None:
    first = await turn(text("hola"))
    second = await turn(text("wifi?"), state=first.state)
    assert bodies(second) == [DEMO_PROFILE["faq"]["wifi"]["es"]]


async def test_a_burst_is_answered_as_one_turn() -> None:
    result = await turn(text("hi"), text("what time is check out?"), text("and parking?"))
    assert bodies(result) == [
        DEMO_PROFILE["faq"]["checkout_time"]["en"],
        DEMO_PROFILE["faq"]["parking"]["en"],
    ]
    assert result.state["turns"] == 1


async def test_a_burst_with_an_answerable_and_an_unclear_part_answers_then_hands_over() -> None:
    tools = RecordingTools()
    result = await turn(text("is there a pool?"), text("my grandmother knits scarves"), tools=tools)
    assert bodies(result) == [DEMO_PROFILE["faq"]["pool"]["en"], render("en", "handoff.unknown")]
    assert tools.handoffs == [HandoffReason.NOT_UNDERSTOOD]


async def test_a_topic_missing_from_the_profile_is_handed_over_not_invented() -> None:
    tools = RecordingTools()
    profile = {"faq": {"wifi": {"en": "Free Wi-Fi."}}}
    result = await turn(text("do you have a gym?"), tools=tools, profile=profile)
    assert bodies(result) == [render("en", "faq.missing")]
    assert tools.handoffs == [HandoffReason.FAQ_MISSING]


async def test_a_voice_note_is_politely_declined_with_options() -> None:
    tools = RecordingTools()
    result = await turn(media("audio"), tools=tools, state={"language": "de"})
    (reply,) = result.replies
    assert isinstance(reply, Buttons)
    assert reply.body == render("de", "voice.off")
    assert tools.handoffs == []


async def test_a_picture_goes_to_staff() -> None:
    tools = RecordingTools()
    result = await turn(media("image"), tools=tools)
    assert bodies(result) == [render("en", "handoff.media")]
    assert tools.handoffs == [HandoffReason.MEDIA]


async def test_a_picture_with_a_question_as_caption_answers_the_question() -> None:
    result = await turn(media("image", caption="can I park here?"))
    assert bodies(result) == [DEMO_PROFILE["faq"]["parking"]["en"]]


async def test_a_shared_location_gets_the_way_to_the_hotel() -> None:
    result = await turn(
        message("location", latitude=38.7, longitude=-9.1), state={"language": "it"}
    )
    assert bodies(result) == [render("it", "media.location", hotel=DEMO_NAME)]
    assert isinstance(result.replies[1], Location)


async def test_a_sticker_gets_the_menu_and_a_reaction_gets_nothing() -> None:
    sticker = await turn(media("sticker"))
    assert isinstance(sticker.replies[0], Buttons)
    reaction = await turn(message("reaction", text="👍"))
    assert reaction.replies == []


async def test_input_state_is_not_mutated_and_old_state_is_tolerated() -> None:
    state = ConversationState(language="pt")
    await handle_turn(make_ctx(), state, [text("obrigado")])
    assert state == ConversationState(language="pt")
    result = await turn(text("obrigado"), state={"language": "pt", "failures": -3, "x": 1})
    assert bodies(result) == [render("pt", "thanks.body")]


async def test_no_messages_means_no_replies() -> None:
    result = await handle_turn(make_ctx(), {}, [])
    assert result.replies == [] and result.flow == "silent"
