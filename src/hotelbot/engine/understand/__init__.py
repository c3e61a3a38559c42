"""Offline understanding of one turn: language, intent, slots, FAQ topics, for a burst of messages.

Exact rules first (opt-out words, "help"/"menu", button ids), then the learned multilingual
classifier (`classifier.classify`: intent, calibrated confidence, service, dialogue acts) and,
for questions, the FAQ matcher over the property's answers. Slots (`slots.extract_slots`) are
read relative to the property's local today and kept whatever the intent: an answer such as
"3 adults" inside a booking is not a request on its own, but the flow needs it. A guess below
`LOW_CONFIDENCE` counts as not understood. `understand()` is async so that an LLM understander
can replace it without changing the caller; this one computes in a worker thread
(`kit.cpu.run_cpu_bound`) within the turn's budget, on at most `MAX_TURN_CHARS` of the burst.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import TYPE_CHECKING

from hotelbot.engine.inbound import GuestMessage, Heard
from hotelbot.engine.understand.classifier import LOW_CONFIDENCE, classify
from hotelbot.engine.understand.faq import TOPICS, FaqMatcher
from hotelbot.engine.understand.intents import Intent, classify_exact
from hotelbot.engine.understand.language import LanguageGuess, detect_language
from hotelbot.engine.understand.slots import Slots, extract_slots
from hotelbot.kit.cpu import run_cpu_bound

if TYPE_CHECKING:
    from hotelbot.engine.context import TurnContext
    from hotelbot.engine.state import ConversationState

#: When a burst says several things, the first intent in this order decides the flow.
PRIORITY: tuple[Intent, ...] = (
    Intent.OPT_OUT, Intent.OPT_IN, Intent.HANDOFF, Intent.COMPLAINT, Intent.CANCEL_BOOKING,
    Intent.MODIFY_BOOKING, Intent.BOOKING_STATUS, Intent.SERVICE_REQUEST, Intent.FAQ,
    Intent.BOOK, Intent.UNKNOWN, Intent.AFFIRM, Intent.NEGATE, Intent.BOT_QUESTION, Intent.HELP,
    Intent.GOODBYE, Intent.THANKS, Intent.GREETING,
)  # fmt: skip
MAX_TOPICS = 3
#: The most characters of one burst analysed (each message is already bounded by its kind's
#: limit in `engine.inbound`); past it, the newest messages are kept.
MAX_TURN_CHARS = 8192
#: Classifier intents that name a request or an act, mapped to ours (out_of_scope → unknown).
_CLASSIFIED: dict[str, Intent] = {
    "book": Intent.BOOK,
    "modify_booking": Intent.MODIFY_BOOKING,
    "cancel_booking": Intent.CANCEL_BOOKING,
    "booking_status": Intent.BOOKING_STATUS,
    "service_request": Intent.SERVICE_REQUEST,
    "complaint": Intent.COMPLAINT,
    "handoff": Intent.HANDOFF,
    "bot_question": Intent.BOT_QUESTION,
    "opt_out": Intent.OPT_OUT,
    "affirm": Intent.AFFIRM,
    "negate": Intent.NEGATE,
    "greeting": Intent.GREETING,
    "thanks": Intent.THANKS,
    "goodbye": Intent.GOODBYE,
}
#: Choice ids are "<flow>:<value>"; a tap on a flow's own button is certain.
_CHOICE_FLOWS: dict[str, Intent] = {
    "book": Intent.BOOK,
    "manage": Intent.MODIFY_BOOKING,
    "service": Intent.SERVICE_REQUEST,
}


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
    #: Every booking detail the burst states (whatever the intent), relative to the hotel's today.
    slots: Slots = field(default_factory=Slots)
    #: The service named by a service request ("towels", "taxi", ...).
    service: str | None = None
    #: Dialogue acts in the burst ("affirm", "negate", "thanks", "goodbye", "greeting").
    acts: frozenset[str] = frozenset()
    #: The id of the button or list row tapped, when the burst holds one.
    choice: str | None = None
    #: Our id of the newest message: the seed of idempotency keys for writes this turn.
    message_id: str = ""
    #: A guess was made but with too little confidence to act on (counted as not understood).
    low_confidence: bool = False
    #: What the guest typed this turn (messages joined). Personal data: never log it.
    text: str = field(default="", repr=False)
    #: The intent was read from details alone ("from 09/01 to 12/01" → book), no word named it.
    inferred: bool = False
    #: Some of the words came from a voice note: the bot may answer by voice too.
    spoken: bool = False
    #: The lowest transcription confidence in the burst (None when nothing was spoken).
    speech_confidence: float | None = None
    #: A voice note without words: why ("too_long", "no_speech", "unavailable", "off", ...).
    voice_problem: str | None = None

    @property
    def faq_topic(self) -> str | None:
        return self.faq_topics[0] if self.faq_topics else None


@dataclass(frozen=True)
class _Reading:
    intent: Intent
    confidence: float
    topics: tuple[str, ...] = ()
    service: str | None = None
    acts: frozenset[str] = frozenset()
    low_confidence: bool = False
    choice: str | None = None
    inferred: bool = False


async def understand(
    ctx: TurnContext, state: ConversationState, messages: Sequence[GuestMessage]
) -> Understanding:
    """Read the burst off the event loop.

    Raises:
        kit.cpu.OverBudget: the analysis took longer than `ctx.turn_budget_seconds`.
    """
    return await run_cpu_bound(ctx.turn_budget_seconds, read_burst, ctx, state, messages)


def read_burst(
    ctx: TurnContext, state: ConversationState, messages: Sequence[GuestMessage]
) -> Understanding:
    """`understand()` on the calling thread: pure computation, no I/O."""
    # Only typed text and media captions are words to understand; a reaction's emoji or a
    # location's name is not.
    texts = _bounded([m.text for m in messages if m.kind in ("text", "media") and m.text.strip()])
    heard = [m.heard for m in messages if m.heard is not None and m.heard.problem is None]
    guess = _language(ctx, state, "\n".join(texts))
    if heard and not any(m.kind == "text" for m in messages):
        guess = _heard_language(ctx, heard[-1], guess)
    today = ctx.local_now().date()
    message_id = messages[-1].id if messages else ""
    readings = [_read_choice(m.choice_id or "") for m in messages if m.kind == "choice"]
    readings += [_read_text(text, ctx.faq_matcher, guess.language, today) for text in texts]
    if not readings:
        return Understanding(
            language=guess.language,
            intent=Intent.UNKNOWN,
            confidence=0.0,
            input_kind=_non_text_kind(messages),
            language_source=guess.source,
            message_id=message_id,
            voice_problem=_voice_problem(messages),
        )
    slots = _merge_slots([extract_slots(t, language=guess.language, today=today) for t in texts])
    merged = _merge(readings, guess, input_kind="text" if texts else "choice")
    return replace(
        merged,
        slots=slots,
        message_id=message_id,
        text="\n".join(texts),
        spoken=bool(heard),
        speech_confidence=min((_trust(h) for h in heard), default=None),
    )


def _heard_language(ctx: TurnContext, heard: Heard, guess: LanguageGuess) -> LanguageGuess:
    """A note's words were decoded in the language the transcriber chose among the hotel's."""
    if heard.language in ctx.property.languages:
        return LanguageGuess(heard.language, heard.confidence, "speech")
    return guess


def _trust(heard: Heard) -> float:
    # Half a note is not the guest's whole request: never act on it unconfirmed.
    return heard.confidence / 2 if heard.partial else heard.confidence


def _voice_problem(messages: Sequence[GuestMessage]) -> str | None:
    """Why the burst's last voice note has no words; "off" when nobody transcribed it."""
    notes = [m for m in messages if m.kind == "media" and m.media_type == "audio"]
    if not notes:
        return None
    return notes[-1].heard.problem if notes[-1].heard is not None else "off"


def _bounded(texts: list[str]) -> list[str]:
    """The newest texts that fit in `MAX_TURN_CHARS` (the newest one cut if it alone does not)."""
    kept: list[str] = []
    room = MAX_TURN_CHARS
    for text in reversed(texts):
        if room <= 0:
            break
        kept.append(text[:room])
        room -= len(text) + 1
    return kept[::-1]


def classify_text(
    text: str, matcher: FaqMatcher, language: str, today: date | None = None
) -> tuple[Intent, float, tuple[str, ...]]:
    """Intent, confidence and FAQ topics of one message."""
    reading = _read_text(text, matcher, language, today or date.today())
    return reading.intent, reading.confidence, reading.topics


def _language(ctx: TurnContext, state: ConversationState, text: str) -> LanguageGuess:
    return detect_language(
        text,
        allowed=ctx.property.languages,
        known=state.language or ctx.guest.language,
        likely=ctx.guest.likely_language,
        default=ctx.property.default_language,
    )


def _read_text(text: str, matcher: FaqMatcher, language: str, today: date) -> _Reading:
    if (exact := classify_exact(text)) is not None:
        return _Reading(exact, 1.0)
    found = classify(text, language=language, today=today)
    if found.intent == "faq" or found.guess == "faq":
        matches = matcher.match(text, language=language)
        if matches:
            topics = tuple(m.topic for m in matches)
            return _Reading(Intent.FAQ, matches[0].score, topics, acts=found.acts)
    intent = _CLASSIFIED.get(found.intent, Intent.UNKNOWN)
    if intent is not Intent.UNKNOWN and found.confidence >= LOW_CONFIDENCE:
        return _Reading(
            intent,
            found.confidence,
            service=found.service,
            acts=found.acts,
            inferred=found.inferred,
        )
    guessed = found.guess != "out_of_scope"
    return _Reading(Intent.UNKNOWN, 0.0, acts=found.acts, low_confidence=guessed)


def _read_choice(choice_id: str) -> _Reading:
    """Buttons and list rows the engine itself sent: ids are ours, so this is certain."""
    kind, _, value = choice_id.partition(":")
    if kind == "faq" and value in TOPICS:
        return _Reading(Intent.FAQ, 1.0, (value,))
    menu = {"info": Intent.FAQ, "book": Intent.BOOK, "human": Intent.HANDOFF, "help": Intent.HELP}
    if kind == "menu" and value in menu:
        return _Reading(menu[value], 1.0)
    if kind in _CHOICE_FLOWS and value:
        return _Reading(_CHOICE_FLOWS[kind], 1.0, choice=choice_id)
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
        service=next((r.service for r in readings if r.service), None),
        acts=frozenset().union(*(r.acts for r in readings)),
        choice=next((r.choice for r in readings if r.choice), None),
        low_confidence=primary.low_confidence,
        inferred=primary.inferred,
    )


def _merge_slots(found: list[Slots]) -> Slots:
    """The first value of each slot across the burst ("2 adults" + "from Friday" = both)."""
    if not found:
        return Slots()
    merged = found[0]
    for later in found[1:]:
        updates = {
            f.name: getattr(later, f.name)
            for f in fields(Slots)
            if getattr(merged, f.name) in (None, (), {}, False) and getattr(later, f.name)
        }
        merged = replace(merged, **updates)
    return merged


def _non_text_kind(messages: Sequence[GuestMessage]) -> str:
    """The kind that matters in a burst without text: the last message that is not a reaction."""
    kinds = [(m.media_type or "media") if m.kind == "media" else m.kind for m in messages]
    meaningful = [k for k in kinds if k != "reaction"]
    return meaningful[-1] if meaningful else ("reaction" if kinds else "none")
