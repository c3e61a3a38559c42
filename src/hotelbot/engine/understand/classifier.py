"""Offline intent classifier: the learned model over a message's e5 vector, plus exact rules.

`classify(text, language=...)` returns the intent of our labelled format with a calibrated
confidence, the FAQ topic and the service when there is one, and the dialogue acts the message
carries (a message can thank and say goodbye at once). The decision is the model's
(`intent_model`, trained by `hotelbot train` on guest-style data in six languages); the only
rule left here is exact: an opt-out phrase ("stop", "baja", "keine Nachrichten mehr",
`intents.classify_opt`) opts out. What the model is not confident about is `out_of_scope`,
with its guess kept.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import numpy.typing as npt

from hotelbot.engine.understand.faq_embedding import default_embedder
from hotelbot.engine.understand.intent_model import ACTS, INTENTS, Prediction, shipped_model
from hotelbot.engine.understand.intents import Intent, classify_opt
from hotelbot.engine.understand.slots import booking_ref_of, extract_slots
from hotelbot.engine.understand.text import normalise

__all__ = ["ACTS", "INTENTS", "LOW_CONFIDENCE", "Classification", "classify", "detect_acts"]

#: Below this the engine should treat the intent as a guess (ask again or hand over).
LOW_CONFIDENCE = 0.5
#: Requests that details alone can make ("2 adults from friday"), no word naming them.
_INFERABLE = frozenset({"book", "booking_status"})
#: A message this short that states stay details is those details, not a request naming itself.
_DETAILS_MAX_WORDS = 6
#: Small talk that may open a message whose real point follows ("hello, ...", "thanks! ...").
_SMALL_TALK = frozenset({"greeting", "thanks", "affirm"})
_CLAUSE = re.compile(r"[,.;:!?\n]+\s*")
#: A message of a booking reference and at most a name or two is that reference.
_REFERENCE_MAX_WORDS = 4
#: A service request whose service the head cannot tell ("a phone charger") is not one of
#: ours: below this it is out of scope (the bot asks again, then hands over).
SERVICE_FLOOR = 0.5


@dataclass(frozen=True)
class Classification:
    intent: str
    confidence: float
    faq_topic: str | None = None
    service: str | None = None
    acts: frozenset[str] = field(default_factory=frozenset)
    #: Kept for the debug log's shape; the learned model has no cue phrases.
    cues: tuple[str, ...] = ()
    #: The request was read from details alone (dates, head counts, a reference): inside a
    #: flow that asked for those details it is an answer, not a new request.
    inferred: bool = False
    #: The model's own best intent, also when its confidence was too low to act on.
    guess: str = "out_of_scope"
    topic_confidence: float = 0.0


_VECTORS: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()
_VECTORS_LOCK = threading.Lock()
_VECTORS_MAX = 512


def message_vector(text: str) -> npt.NDArray[np.float32]:
    """The e5 vector of one message, embedded once: the FAQ matcher and the flows reuse it."""
    with _VECTORS_LOCK:
        found = _VECTORS.get(text)
        if found is not None:
            _VECTORS.move_to_end(text)
            return found
    vector = default_embedder().embed([text])[0]
    with _VECTORS_LOCK:
        _VECTORS[text] = vector
        while len(_VECTORS) > _VECTORS_MAX:
            _VECTORS.popitem(last=False)
    return vector


def predict(text: str, vector: npt.NDArray[np.float32] | None = None) -> Prediction:
    return shipped_model().predict(message_vector(text) if vector is None else vector)


def detect_acts(text: str) -> frozenset[str]:
    """The conversational acts in `text` (affirm, negate, thanks, goodbye, greeting)."""
    return predict(text).acts if normalise(text) else frozenset()


def classify(
    text: str,
    *,
    language: str,
    today: date | None = None,
    vector: npt.NDArray[np.float32] | None = None,
) -> Classification:
    """Intent, confidence, FAQ topic, service and acts of one guest message.

    `vector` is the message's e5 vector when the caller already has it (evaluation batches).
    """
    words = normalise(text).split()
    if not words:
        return Classification("out_of_scope", 0.3)
    if classify_opt(text) is Intent.OPT_OUT:
        return Classification("opt_out", 1.0, guess="opt_out")
    if len(words) <= _REFERENCE_MAX_WORDS and booking_ref_of(text):
        # A booking reference, perhaps with a surname: an exact detail, whatever else it is.
        return Classification("booking_status", 0.9, inferred=True, guess="booking_status")
    found = predict(text, vector)
    unsure = found.intent == "out_of_scope" and found.guess != "out_of_scope"
    if (found.intent in _SMALL_TALK or unsure) and (rest := _after_opening(text)):
        # "hello, my shower is broken": the greeting opens the message, the request is it.
        request = predict(rest)
        if request.intent not in _SMALL_TALK | {"out_of_scope"}:
            found = replace(request, acts=request.acts | found.acts)
    if found.intent == "opt_out" or (
        found.intent == "service_request" and found.service_confidence < SERVICE_FLOOR
    ):
        # Opting out is a compliance act: only the exact phrases above do it, never a guess
        # ("no more towels please" is not one).
        return Classification("out_of_scope", found.confidence, acts=found.acts, guess=found.guess)
    inferred = found.intent in _INFERABLE and _details_only(
        text, words, language, today or date(2000, 1, 1)
    )
    return Classification(
        intent=found.intent,
        confidence=found.confidence,
        faq_topic=found.topic if found.intent == "faq" else None,
        service=found.service if found.intent == "service_request" else None,
        acts=found.acts,
        inferred=inferred,
        guess=found.guess,
        topic_confidence=found.topic_confidence if found.intent == "faq" else 0.0,
    )


def _after_opening(text: str) -> str:
    """What follows a message's first clause ("hi, ...", "danke! ..."), if there is more."""
    parts = _CLAUSE.split(text.strip(), maxsplit=1)
    return parts[1] if len(parts) == 2 and normalise(parts[0]) and normalise(parts[1]) else ""


def _details_only(text: str, words: list[str], language: str, today: date) -> bool:
    if len(words) > _DETAILS_MAX_WORDS:
        return False
    slots = extract_slots(text, language=language, today=today)
    return any(
        v is not None
        for v in (slots.check_in, slots.nights, slots.adults, slots.rooms, slots.booking_ref)
    )
