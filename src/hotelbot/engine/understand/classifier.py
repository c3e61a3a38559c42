"""Offline intent classifier: weighted multilingual cue phrases, typo tolerant, with out-of-scope.

`classify(text, language=...)` returns the intent of our labelled format with a confidence, the
FAQ topic and the service when there is one, and the dialogue acts the message carries (a
message can thank and say goodbye at once). Nothing is downloaded or trained: the cues live in
`lexicon.py`, so a decision can always be traced to the words that made it. What names no hotel
request is `out_of_scope`, even when it mentions hotels ("my hotel in Rome last year was awful").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from hotelbot.engine.understand import lexicon, vocab
from hotelbot.engine.understand.slots import extract_slots

INTENTS = (
    "book",
    "modify_booking",
    "cancel_booking",
    "booking_status",
    "faq",
    "service_request",
    "handoff",
    "complaint",
    "greeting",
    "thanks",
    "goodbye",
    "affirm",
    "negate",
    "bot_question",
    "opt_out",
    "out_of_scope",
)
#: Acts a message can carry alongside its intent (SGD labels several per turn).
ACTS = ("affirm", "negate", "thanks", "goodbye", "greeting")
#: Below this the engine should treat the intent as a guess (ask again or hand over).
LOW_CONFIDENCE = 0.5
_TYPO_DISCOUNT = 0.85
_SOLE_WORD_OPT_OUT = {
    "stop",
    "stopp",
    "unsubscribe",
    "arret",
    "arrete",
    "basta",
    "pare",
    "parar",
    "baja",
    "alto",
    "fin",
    "end",
    "cancel all",
    "stop all",
}
#: Generic words that point to a booking only next to a hotel noun or stay details.
_WEAK_BOOK = {
    "book",
    "reserve",
    "stay",
    "available",
    "availability",
    "precio",
    "preis",
    "prezzo",
    "preco",
    "combien",
    "tarif",
    "frei",
    "estancia",
    "aufenthalt",
    "sejour",
    "soggiorno",
    "estadia",
    "disponible",
    "how much for",
    "price for",
    "rate for",
    "cuanto cuesta",
    "was kostet",
    "quanto costa",
    "quanto custa",
    "reservar",
    "buchen",
    "reservieren",
    "reserver",
    "prenotare",
    "verfugbar",
    "disponibilidad",
    "disponibilite",
    "disponibilita",
    "disponibilidade",
    "a hotel",
}
_HOTEL_NOUN = re.compile(
    r"\b(?:rooms?|hotel|suite|nights?|habitacion\w*|noches?|zimmer|nachte?|nacht|chambres?|nuits?|"
    r"camer[ae]|nott[ei]|quartos?|noites?|accommodation|alojamiento|unterkunft|hebergement|"
    r"alloggio|hospedagem|bed|cama|bett|lit|letto)\b"
)
_START_ONLY = {"affirm", "negate", "greeting"}
#: Asking how to pay here keeps a money word a payment question ("do you accept bank transfer").
_PAY_HERE = re.compile(
    r"\b(?:do you (?:accept|take)|can i pay|can we pay|pay (?:by|with|in)|aceptan|aceptais|"
    r"akzeptieren sie|nehmen sie|acceptez|accettate|aceitam|pagar con|pagar com|payer par|"
    r"payer en|pagare con|bezahlen mit|zahlen mit)\b"
)
_RESERVE = re.compile(r"\b(?:book|reserv\w*|buch\w*|prenot\w*)\b")
#: Topic phrases too bare to stand against stay details ("check in on the 5th").
_WEAK_TOPIC = {"check in", "checkin", "check out", "checkout"}
_YES = re.compile(r"^(?:yes|yeah|yep|si|ja|oui|sim|ok|okay|sure|claro|vale|d accord|certo)\b")
_QUESTION = re.compile(
    r"\b(?:do you have|is there|are there|do you offer|how much|what time|when|tienen|hay|"
    r"ofrecen|cuanto|a que hora|haben sie|gibt es|bieten sie|wie viel|was kostet|wann|"
    r"avez vous|y a t il|est ce qu|proposez|combien|quand|avete|c e|ci sono|offrite|"
    r"quanto|quando|tem|voces tem|ha|oferecem|quanto|que horas)\b"
)


@dataclass(frozen=True)
class Classification:
    intent: str
    confidence: float
    faq_topic: str | None = None
    service: str | None = None
    acts: frozenset[str] = field(default_factory=frozenset)
    #: The cue phrases that decided it, for the engine's debug log (never logged with text).
    cues: tuple[str, ...] = ()
    #: The request was read from details alone (dates, head counts, "my booking"), no word
    #: names it: inside a flow that asked for those details it is an answer, not a new request.
    inferred: bool = False


@dataclass(frozen=True)
class _Cue:
    label: str
    weight: float
    phrase: str


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, list[_Cue]], dict[str, list[_Cue]]]:
    """Phrase index by first word, and one-word cues of 5+ letters by first letter (typos)."""
    by_first: dict[str, list[_Cue]] = {}
    singles: dict[str, list[_Cue]] = {}

    def add(label: str, weight: float, phrase: str, typos: bool = True) -> None:
        cleaned = _clean(phrase)
        if not cleaned:
            return
        cue = _Cue(label, weight, cleaned)
        by_first.setdefault(cleaned.split()[0], []).append(cue)
        if typos and " " not in cleaned and len(cleaned) >= 5:
            singles.setdefault(cleaned[0], []).append(cue)

    for intent, weight, phrases in lexicon.INTENT_CUES:
        for p in phrases:
            add(f"intent:{intent}", weight, p)
    for topic, phrases in lexicon.FAQ_TOPICS.items():
        for p in phrases:
            add(f"faq:{topic}", 1.0, p)
    for service, phrases in lexicon.SERVICES.items():
        for p in phrases:
            add(f"service:{service}", 1.0, p)
    for group, phrases in (
        ("request", lexicon.REQUEST_CUES),
        ("elsewhere", lexicon.ELSEWHERE_CUES),
        ("foreign", lexicon.FOREIGN_OBJECTS),
        ("order", lexicon.ORDER_CUES),
        ("mine", lexicon.MY_BOOKING),
    ):
        for p in phrases:
            add(f"{group}:", 1.0, p)
    # Context words, spelled right or not at all: a typo-matched "prestamo" in "a presto"
    # would throw a goodbye out of scope. A known word is also never read as a typo of a cue
    # ("checking" is no "checkin", "interest" no "internet").
    for group, phrases in (("bank", lexicon.BANKING), ("known", lexicon.KNOWN_WORDS)):
        for p in phrases:
            add(f"{group}:", 1.0, p, typos=False)
    return by_first, singles


_SEPARATORS = re.compile("[/.:!?,;()\"'`\\-\u2018\u2019]")


def _clean(text: str) -> str:
    # Apostrophes and hyphens split words: "l'aeroporto" is "l aeroporto", "check-in" is
    # "check in" (phrases are cleaned the same way, so "d'accord" still meets "d accord").
    return " ".join(_SEPARATORS.sub(" ", vocab.fold(text)).split())


@dataclass
class _Hits:
    """Best weight per label, and where in the message (word index) it was found."""

    weight: dict[str, float] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, weight: float, position: int, phrase: str) -> None:
        if weight > self.weight.get(label, 0.0):
            self.weight[label] = weight
            self.position[label] = position
            self.phrases[label] = phrase

    def of(self, prefix: str) -> dict[str, float]:
        return {k.split(":", 1)[1]: v for k, v in self.weight.items() if k.startswith(prefix)}


def _find_cues(words: list[str]) -> _Hits:
    by_first, singles = _tables()
    hits = _Hits()
    for i, word in enumerate(words):
        for cue in by_first.get(word, ()):
            n = cue.phrase.count(" ") + 1
            if " ".join(words[i : i + n]) == cue.phrase:
                hits.add(cue.label, cue.weight, i, cue.phrase)
        if len(word) >= 5 and word not in by_first:
            for cue in singles.get(word[0], ()):
                # Same first two letters: "painted" is no typo of "plainte".
                if word[:2] == cue.phrase[:2] and vocab.is_typo_of(word, cue.phrase, ratio=0.84):
                    hits.add(cue.label, cue.weight * _TYPO_DISCOUNT, i, cue.phrase)
    return hits


def detect_acts(text: str) -> frozenset[str]:
    """The conversational acts in `text` (affirm, negate, thanks, goodbye, greeting)."""
    words = _clean(text).split()
    return _acts(_find_cues(words), words)


def _acts(hits: _Hits, words: list[str]) -> frozenset[str]:
    intents = hits.of("intent:")
    found = set()
    for act in ACTS:
        if act not in intents:
            continue
        if act in _START_ONLY and hits.position[f"intent:{act}"] > 1 and len(words) > 4:
            continue
        found.add(act)
    if (
        "negate" in found
        and words
        and words[0] not in {"no", "nope", "nah", "nein", "non", "nao", "nee"}
        and len(words) > 4
    ):
        found.discard("negate")  # "I do not need parking" is a statement, not a "no"
    if "affirm" in found and hits.phrases["intent:affirm"] in lexicon.ACKNOWLEDGEMENTS:
        # "Great, now find me a hotel", "Ok, thanks, bye": an acknowledgement while moving on
        # to a new search or closing, not a yes. "Ok, reserve it" still accepts the offer.
        searching = "intent:book" in hits.weight and not _RESERVE.search(" ".join(words))
        if searching or "goodbye" in found:
            found.discard("affirm")
    return frozenset(found)


def classify(text: str, *, language: str, today: date | None = None) -> Classification:
    """Intent, confidence, FAQ topic, service and acts of one guest message."""
    words = _clean(text).split()
    if not words:
        return Classification("out_of_scope", 0.3)
    hits = _find_cues(words)
    acts = _acts(hits, words)
    decided = _decide(hits, words, acts, text, language, today or date(2000, 1, 1))
    cues = tuple(sorted(set(hits.phrases.values())))
    inferred = decided[0] in _INFERABLE and f"intent:{decided[0]}" not in hits.weight
    return Classification(
        decided[0], round(decided[1], 3), decided[2], decided[3], acts, cues, inferred
    )


#: Requests `_decide` may infer without a cue naming them.
_INFERABLE = frozenset({"book", "booking_status"})


def _decide(
    hits: _Hits, words: list[str], acts: frozenset[str], text: str, language: str, today: date
) -> tuple[str, float, str | None, str | None]:
    intents, topics, services = hits.of("intent:"), hits.of("faq:"), hits.of("service:")
    joined = " ".join(words)
    if joined in _SOLE_WORD_OPT_OUT or "opt_out" in intents:
        return "opt_out", intents.get("opt_out", 1.0), None, None
    stay, dated = _stay_details(text, language, today, len(words))
    hotel_noun = bool(_HOTEL_NOUN.search(joined))
    hotel = hotel_noun or stay or dated
    if stay:
        # "check in on the 5th for 2 nights" books a stay; a bare "check-in?" asks the time.
        topics = {t: w for t, w in topics.items() if hits.phrases[f"faq:{t}"] not in _WEAK_TOPIC}
    if "elsewhere:" in hits.weight and not _mentions_us(joined):
        return "out_of_scope", 0.8, None, None
    if "foreign:" in hits.weight and not hotel_noun and not services and not topics:
        return "out_of_scope", 0.85, None, None
    if "bank:" in hits.weight and not hotel_noun and not _mentions_us(joined):
        if not _PAY_HERE.search(joined):
            return "out_of_scope", 0.8, None, None
    for intent in ("bot_question", "handoff"):
        if intent in intents:
            return intent, intents[intent], None, None
    if "cancellation_policy" in topics:
        return "faq", topics["cancellation_policy"], "cancellation_policy", None
    for intent in ("cancel_booking", "modify_booking", "booking_status"):
        if intent in intents:
            return intent, intents[intent], None, None
    if "complaint" in intents and intents["complaint"] >= 0.75:
        return "complaint", intents["complaint"], None, None
    service = _service(hits, services, topics, joined)
    if service is not None:
        return "service_request", services[service], None, service
    book = _book_score(hits, intents, hotel)
    if topics and not (book and stay):
        topic = _topic(hits, topics)
        return "faq", topics[topic], topic, None
    if book:
        return "book", book, None, None
    if stay and not acts - {"greeting"}:
        return "book", 0.6, None, None
    if "mine:" in hits.weight and not acts - {"greeting"}:
        return "booking_status", 0.6, None, None
    return _small_talk(acts, intents, words)


def _mentions_us(joined: str) -> bool:
    return bool(
        re.search(r"\b(?:your|vuestro|su|ihr\w*|votre|vostro|seu|sua|this hotel|here)\b", joined)
    )


_ARRIVAL = re.compile(r"check|arriv|stay|llega|entrada|ankunft|anreise|ankomm|chegada|chego")


def _stay_details(text: str, language: str, today: date, length: int) -> tuple[bool, bool]:
    """(stay, dated): stay details make a booking message, a bare date only in a short or
    arrival message; `dated` says a date was mentioned at all (it backs a weak booking cue:
    "anything free on 04/05?")."""
    slots = extract_slots(text, language=language, today=today)
    dated = slots.check_in is not None or slots.ambiguous
    if any(v is not None for v in (slots.nights, slots.adults, slots.rooms)):
        return True, dated
    short_or_arrival = length <= 5 or bool(_ARRIVAL.search(vocab.fold(text)))
    return slots.check_in is not None and short_or_arrival, dated


def _topic(hits: _Hits, topics: dict[str, float]) -> str:
    """The strongest topic, the earliest on a tie; the airport beats generic directions
    ("how far are you from the airport" is about the airport)."""
    if "airport" in topics and "location" in topics:
        return "airport"
    return max(topics, key=lambda t: (topics[t], -hits.position[f"faq:{t}"]))


def _service(
    hits: _Hits, services: dict[str, float], topics: dict[str, float], joined: str
) -> str | None:
    if not services:
        return None
    requested = "request:" in hits.weight
    asked = bool(_QUESTION.search(joined)) and not requested
    if "room_service" in services and "order:" in hits.weight:
        return "room_service"  # "order breakfast to the room" is room service, not the FAQ
    order = (
        "late_checkout",
        "airport_transfer",
        "taxi",
        "extra_bed",
        "towels",
        "room_service",
        "maintenance",
        "housekeeping",
    )
    for service in order:
        if service not in services:
            continue
        if service in {"maintenance", "taxi", "late_checkout"} and not asked:
            return service
        if requested and not (topics and service == "room_service" and not asked):
            return service
    if not asked and not topics:
        # A statement naming a service is a request: "towels missing", "faltan toallas".
        return next(s for s in order if s in services)
    return None


def _book_score(hits: _Hits, intents: dict[str, float], hotel: bool) -> float:
    if "book" not in intents:
        return 0.0
    phrase = hits.phrases["intent:book"]
    if phrase in _WEAK_BOOK and not hotel:
        return 0.0
    return intents["book"]


def _small_talk(
    acts: frozenset[str], intents: dict[str, float], words: list[str]
) -> tuple[str, float, str | None, str | None]:
    if "goodbye" in acts:
        return "goodbye", intents["goodbye"], None, None
    if "negate" in acts:
        return "negate", intents["negate"], None, None
    if "affirm" in acts and _YES.match(" ".join(words)):
        return "affirm", intents["affirm"], None, None
    for act in ("thanks", "affirm", "greeting"):
        if act in acts:
            return act, intents[act], None, None
    return "out_of_scope", 0.5, None, None
