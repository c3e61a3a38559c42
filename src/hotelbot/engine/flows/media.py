"""Messages without text: voice notes, pictures, locations, stickers, reactions, contacts.

A voice note reaches this flow only without words (transcribed ones are read as text): it gets
the reason (too long, silence, expired, ...) and the menu (`flows/voice.py`); pictures and documents
go to staff, who can look at them; a shared location gets the way to the hotel; a sticker
gets the menu; a reaction gets nothing.
"""

from __future__ import annotations

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Fact, HotelPin, Menu, Say
from hotelbot.engine.flows import voice
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.profile import has_answer, hotel_geo
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding

NAME = "media"


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    language, kind = understanding.language, understanding.input_kind
    if kind in ("reaction", "none"):
        return Decision(NAME, language, [])
    if kind == "audio":
        return voice.no_words(understanding)
    if kind == "sticker":
        return Decision(NAME, language, [Menu("menu.prompt")])
    if kind == "location":
        return _directions(ctx, language)
    if kind in ("image", "video", "document"):
        return await hand_over(
            ctx, state, language, key="handoff.media", reason=HandoffReason.MEDIA
        )
    return await hand_over(
        ctx, state, language, key="handoff.unknown", reason=HandoffReason.UNSUPPORTED
    )


def _directions(ctx: TurnContext, language: str) -> Decision:
    profile = ctx.property.profile
    if hotel_geo(profile) is not None:
        return Decision(NAME, language, [Say("media.location"), HotelPin()])
    if has_answer(profile, "location"):
        return Decision(NAME, language, [Fact("location")])
    return Decision(NAME, language, [Menu("menu.prompt")])
