"""Offline understanding of one turn: language, intent, FAQ topics, for a burst of messages.

`understand()` is async so that an LLM understander (issue 5) can replace it without
changing the caller; this one only computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotelbot.engine.inbound import GuestMessage
from hotelbot.engine.understand.faq import TOPICS, FaqMatcher
from hotelbot.engine.understand.intents import (
    Intent,
    classify_opt,
    classify_request,
    classify_small_talk,
)
from hotelbot.engine.understand.language import LanguageGuess, detect_language

if TYPE_CHECKING:
    from hotelbot.engine.context import TurnContext
    from hotelbot.engine.state import ConversationState

#: When a burst says several things, the first intent in this order decides the flow.
PRIORITY: tuple[Intent, ...] = (
    Intent.OPT_OUT, Intent.OPT_IN, Intent.HANDOFF, Intent.FAQ, Intent.BOOK, Intent.UNKNOWN,
    Intent.HELP, Intent.GOODBYE, Intent.THANKS, Intent.GREETING,
)  # fmt: skip
MAX_TOPICS = 3


@dataclass(frozen=True)
class Understanding:
    language: str
    intent: Intent
    confidence: float
    faq_topics: tuple[str, ...] = ()
    #: Part of the burst was not understood although another part was (answer, then hand over).
    unresolved: bool = False
    #: "text", "choice", or the WhatsApp kind of a message without text (audio, image, ...).
    input_kind: str = "text"
    language_source: str = "fallback"

    @property
    def faq_topic(self) -> str | None:
        return self.faq_topics[0] if self.faq_topics else None


@dataclass(frozen=True)
class _Reading:
    intent: Intent
    confidence: float
    topics: tuple[str, ...] = ()


async def understand(
    ctx: TurnContext, state: ConversationState, messages: Sequence[GuestMessage]
) -> Understanding:
    # Only typed text and media captions are words to understand; a reaction's emoji or a
    # location's name is not.
    texts = [m.text for m in messages if m.kind in ("text", "media") and m.text.strip()]
    guess = _language(ctx, state, "\n".join(texts))
    readings = [_read_choice(m.choice_id or "") for m in messages if m.kind == "choice"]
    readings += [_read_text(text, ctx.faq_matcher, guess.language) for text in texts]
    if not readings:
        return Understanding(
            language=guess.language,
            intent=Intent.UNKNOWN,
            confidence=0.0,
            input_kind=_non_text_kind(messages),
            language_source=guess.source,
        )
    return _merge(readings, guess, input_kind="text" if texts else "choice")


def classify_text(
    text: str, matcher: FaqMatcher, language: str
) -> tuple[Intent, float, tuple[str, ...]]:
    """Intent, confidence and FAQ topics of one message."""
    reading = _read_text(text, matcher, language)
    return reading.intent, reading.confidence, reading.topics


def _language(ctx: TurnContext, state: ConversationState, text: str) -> LanguageGuess:
    return detect_language(
        text,
        allowed=ctx.property.languages,
        known=state.language or ctx.guest.language,
        default=ctx.property.default_language,
    )


def _read_text(text: str, matcher: FaqMatcher, language: str) -> _Reading:
    if (opt := classify_opt(text)) is not None:
        return _Reading(opt, 1.0)
    request = classify_request(text)
    if request is Intent.HANDOFF:
        return _Reading(request, 0.9)
    matches = matcher.match(text, language=language)
    if matches:
        return _Reading(Intent.FAQ, matches[0].score, tuple(m.topic for m in matches))
    if request is not None:
        return _Reading(request, 0.8)
    if (small_talk := classify_small_talk(text)) is not None:
        return _Reading(small_talk, 0.9)
    return _Reading(Intent.UNKNOWN, 0.0)


def _read_choice(choice_id: str) -> _Reading:
    """Buttons and list rows the engine itself sent: ids are ours, so this is certain."""
    kind, _, value = choice_id.partition(":")
    if kind == "faq" and value in TOPICS:
        return _Reading(Intent.FAQ, 1.0, (value,))
    menu = {"info": Intent.FAQ, "book": Intent.BOOK, "human": Intent.HANDOFF, "help": Intent.HELP}
    if kind == "menu" and value in menu:
        return _Reading(menu[value], 1.0)
    return _Reading(Intent.UNKNOWN, 0.0)


def _merge(readings: list[_Reading], guess: LanguageGuess, *, input_kind: str) -> Understanding:
    primary = min(readings, key=lambda r: PRIORITY.index(r.intent))
    topics: list[str] = []
    for reading in readings:
        topics += [t for t in reading.topics if t not in topics]
    unresolved = primary.intent is not Intent.UNKNOWN and any(
        r.intent is Intent.UNKNOWN for r in readings
    )
    return Understanding(
        language=guess.language,
        intent=primary.intent,
        confidence=primary.confidence,
        faq_topics=tuple(topics[:MAX_TOPICS]) if primary.intent is Intent.FAQ else (),
        unresolved=unresolved,
        input_kind=input_kind,
        language_source=guess.source,
    )


def _non_text_kind(messages: Sequence[GuestMessage]) -> str:
    """The kind that matters in a burst without text: the last message that is not a reaction."""
    kinds = [(m.media_type or "media") if m.kind == "media" else m.kind for m in messages]
    meaningful = [k for k in kinds if k != "reaction"]
    return meaningful[-1] if meaningful else ("reaction" if kinds else "none")
