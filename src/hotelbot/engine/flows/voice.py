"""Voice notes the engine must not act on blindly, and voice notes without words.

A transcript below the confidence threshold that would start or continue a booking, a change
or a cancellation is read back first ("I understood: «…» — is that right?"). Its words wait in
the (encrypted) state: "yes" replays them as if heard clearly, "no" asks the guest to say it
again or type, anything else drops them. A note without words gets the reason, politely.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotelbot.engine.decision import Decision, Menu, Option, Options, Say
from hotelbot.engine.inbound import GuestMessage, Heard
from hotelbot.engine.state import ConversationState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

NAME = "voice"
YES = "voice:yes"
NO = "voice:no"
#: Requests that change a booking: never acted on from a doubtful transcript.
_RISKY = frozenset({Intent.BOOK, Intent.MODIFY_BOOKING, Intent.CANCEL_BOOKING})
_RISKY_FLOWS = frozenset({"booking", "manage"})
#: Reasons a note has no words, each with its own sentence (`voice.<reason>`).
PROBLEMS = frozenset({"too_large", "too_long", "unsupported", "no_speech", "unavailable", "off"})


def needs_confirmation(
    state: ConversationState, understanding: Understanding, *, threshold: float
) -> bool:
    confidence = understanding.speech_confidence
    if not understanding.spoken or confidence is None or confidence >= threshold:
        return False
    return understanding.intent in _RISKY or state.flow in _RISKY_FLOWS


def read_back(state: ConversationState, understanding: Understanding) -> Decision:
    state.unconfirmed_speech = understanding.text
    question = Options(
        body=Say("voice.confirm", {"transcript": understanding.text}),
        options=(Option(YES, Say("voice.yes")), Option(NO, Say("voice.no"))),
        button="topics.button",
    )
    return Decision(NAME, understanding.language, [question])


def confirmed(messages: Sequence[GuestMessage], understanding: Understanding) -> bool | None:
    """True for "yes" to the read-back, False for "no", None for anything else."""
    choices = {m.choice_id for m in messages if m.kind == "choice"}
    if YES in choices or (not choices and understanding.intent is Intent.AFFIRM):
        return True
    if NO in choices or (not choices and understanding.intent is Intent.NEGATE):
        return False
    return None


def replayed(words: str, language: str | None, answer: GuestMessage) -> GuestMessage:
    """The read-back words as a voice note heard with certainty (the guest said so)."""
    return GuestMessage(
        id=answer.id,
        kind="media",
        media_type="audio",
        text=words,
        heard=Heard(language=language, confidence=1.0),
        received_at=answer.received_at,
    )


def say_again(understanding: Understanding) -> Decision:
    return Decision(NAME, understanding.language, [Say("voice.repeat")])


def no_words(understanding: Understanding) -> Decision:
    """The reason a voice note has no words, and what the bot can do (the menu)."""
    problem = understanding.voice_problem or "off"
    key = f"voice.{problem}" if problem in PROBLEMS else "voice.off"
    return Decision(NAME, understanding.language, [Menu(key)])
