"""Greetings, thanks, goodbyes and "help": answered from texts, no side effects."""

from __future__ import annotations

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Menu, Say, Speech
from hotelbot.engine.state import ConversationState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

NAME = "small_talk"


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    speech: list[Speech]
    match understanding.intent:
        case Intent.THANKS:
            speech = [Say("thanks.body")]
        case Intent.GOODBYE:
            speech = [Say("goodbye.body")]
        case Intent.HELP:
            speech = [Menu("menu.prompt")]
        case _:
            speech = [Menu("greeting.body")]
    return Decision(NAME, understanding.language, speech)
