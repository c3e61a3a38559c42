"""Which of our languages a guest wrote in: a small lexicon for short messages, lingua otherwise.

Measured on this machine (21 short and medium guest messages, lingua 2.1.1, six languages):
high-accuracy mode builds in ~0.8 s once and takes ~0.025 ms per message; low-accuracy mode
takes ~0.011 ms but gets "hola", "hello" and "ciao" wrong. Both are far below a turn's budget,
so we use high accuracy and build the detector lazily, once per process (`warm_up()` lets a
worker pay the build at start). One- or two-word messages ("ok", "hola", "olá") are where any
statistical detector guesses: the lexicon answers those, and what neither can tell apart falls
back to the language the guest used before, then the one their number suggests, then the
property's default.

Hotel guests mix English loanwords into every language ("¿a qué hora es el check-in?",
"qual é a password do wifi?"): those words say nothing about the language, and they pulled short
questions towards English, so they are removed before either detector looks. What is left is
often only a few function words, so distinctive marks — "¿", "ñ", "ã", "c'è", "qual é", "ß",
and function words no other of our languages uses — add to lingua's confidence. Evidence that
still does not single out one language yields the guest's known language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Literal

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from hotelbot.engine.understand.text import BUILTIN_REFERENCE, normalise, tokens

SUPPORTED: tuple[str, ...] = ("en", "es", "de", "fr", "it", "pt")

_LINGUA: dict[Language, str] = {
    Language.ENGLISH: "en",
    Language.SPANISH: "es",
    Language.GERMAN: "de",
    Language.FRENCH: "fr",
    Language.ITALIAN: "it",
    Language.PORTUGUESE: "pt",
}

#: Messages with at most this many words consult the lexicon first.
SHORT_MESSAGE_WORDS = 4
#: lingua's top confidence must reach this, and beat the runner-up by MIN_MARGIN.
MIN_CONFIDENCE = 0.5
MIN_MARGIN = 0.2
#: One- or two-word texts need more: lingua's guesses on them are often near-ties.
MIN_CONFIDENCE_SHORT = 0.75
#: Added to a language's score for each distinct mark of it in the text (at most MAX_MARKS).
MARK_WEIGHT = 0.25
MAX_MARKS = 3
#: lingua reads at most this many characters: a language is clear long before, and lingua's
#: time grows faster than the length on long unbroken words (48,000 letters took 1.2 s).
LINGUA_MAX_CHARS = 1000

#: Hotel words guests use untranslated in every language; removed before detection.
#: Spaces match a space, a hyphen or nothing ("check-in", "check in", "checkin", "Wi-Fi").
LOANWORDS: tuple[str, ...] = (
    "late check out", "early check in", "check in", "check out", "wi fi", "password",
    "parking", "room service", "spa", "gym", "fitness", "sauna", "jacuzzi", "minibar",
    "taxi", "transfer", "shuttle", "ok", "okay", "hotel", "lobby", "rooftop", "bar", "menu",
    "booking", "online", "email", "e mail", "voucher", "pin", "code", "smart tv", "tv",
)  # fmt: skip
#: Between the parts of a loanword: a space, a hyphen or nothing.
_JOIN = r"[-\s]*"
_LOANWORDS = re.compile(
    "|".join(
        r"(?<!\w)" + _JOIN.join(map(re.escape, word.split())) + r"(?!\w)"
        for word in sorted(LOANWORDS, key=len, reverse=True)
    ),
    re.IGNORECASE,
)
#: Codes that belong to no language but look like words to a detector: e-mail addresses,
#: links, booking references ("DEM-3FRFMY4T", "HB0042X", "ab12cd") and other letter-digit mixes.
#: An address is looked for only from the start of a non-space run: from every position, a long
#: run without "@" was rescanned to its end (quadratic; a 900 KB message froze the process).
_CODES = re.compile(
    r"(?<!\S)\S+@\S+|https?://\S+|www\.\S+"
    r"|\b[A-Z]{2,4}-[A-Z0-9]{4,}\b"
    r"|\b(?=[^\W_]*\d)(?=[^\W_]*[^\W\d_])[^\W_]+(?:-[^\W_]+)*\b"
)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]*)?")

#: Characters that only some of our languages write (looked for in the casefolded text).
MARK_CHARACTERS: dict[str, tuple[str, ...]] = {
    "¿": ("es",), "¡": ("es",), "ñ": ("es",),
    "ã": ("pt",), "õ": ("pt",), "ê": ("pt", "fr"), "ç": ("pt", "fr"),
    "ß": ("de",), "ä": ("de",), "ö": ("de",), "ü": ("de",),
    "ì": ("it",), "ò": ("it",), "è": ("it", "fr"), "ù": ("it", "fr"),
    "œ": ("fr",), "î": ("fr",), "û": ("fr",), "ë": ("fr",), "ï": ("fr",),
}  # fmt: skip
#: Function words (with their accents) that no other of our six languages uses as a word.
MARK_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "the", "is", "are", "there", "you", "what", "what's", "how", "does", "can", "have",
        "my", "your", "i'm", "it's", "please", "would", "could", "with", "which", "and", "of",
        "to", "at", "this", "that", "any",
    ),
    "es": (
        "el", "los", "las", "hay", "tenéis", "teneis", "tienen", "tiene", "usted", "ustedes",
        "qué", "cuál", "cuándo", "dónde", "cómo", "puedo", "quiero", "mi", "muy", "eres",
        "hasta", "también", "algún", "alguna", "ningún", "sí",
    ),
    "de": (
        "der", "die", "das", "ist", "gibt", "ich", "sie", "du", "bist", "ein", "eine", "einen",
        "und", "nicht", "wie", "kann", "haben", "habt", "mit", "für", "zum", "zur", "mein",
    ),
    "fr": (
        "le", "les", "est", "c'est", "je", "vous", "avez", "une", "des", "du", "au", "aux",
        "il", "quel", "quelle", "où", "ne", "pas", "pour", "est-ce", "qu'est-ce", "j'ai",
        "l'hôtel", "y'a",
    ),
    "it": (
        "il", "gli", "della", "dello", "che", "c'è", "è", "sono", "per", "ci",
        "può", "avete", "dov'è", "com'è", "qual", "quanto", "un'", "l'albergo", "dell'",
    ),
    "pt": (
        "do", "dos", "das", "um", "uma", "é", "não", "vocês", "você", "têm", "tem", "há",
        "quero", "pode", "ao", "às", "num", "numa", "olá", "qual", "obrigado", "obrigada",
    ),
}  # fmt: skip
_MARK_WORDS: dict[str, frozenset[str]] = {lang: frozenset(w) for lang, w in MARK_WORDS.items()}

#: Everyday words and greetings that name their language on their own (after `normalise`).
#: Words shared by several languages ("no", "si", "ok", "hotel", "taxi") are deliberately absent.
LEXICON: dict[str, tuple[str, ...]] = {
    "en": (
        "hello",
        "hi",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
        "thanks",
        "thank you",
        "thx",
        "bye",
        "goodbye",
        "yes",
        "please",
        "help",
        "great",
        "cheers",
        "unsubscribe",
        "what",
        "where",
        "when",
        "how",
        "the",
    ),
    "es": (
        "hola",
        "buenas",
        "buenos dias",
        "buenas tardes",
        "buenas noches",
        "gracias",
        "muchas gracias",
        "adios",
        "hasta luego",
        "vale",
        "ayuda",
        "baja",
        "porfa",
        "que tal",
        "perfecto",
        "donde",
        "cuando",
        "desayuno",
    ),
    "de": (
        "hallo",
        "guten tag",
        "guten morgen",
        "guten abend",
        "moin",
        "servus",
        "gruss gott",
        "danke",
        "danke schon",
        "dankeschon",
        "vielen dank",
        "tschuss",
        "bis dann",
        "bis bald",
        "bis morgen",
        "auf wiedersehen",
        "ja",
        "nein",
        "bitte",
        "hilfe",
        "abmelden",
        "stopp",
        "genau",
        "wo",
        "wann",
    ),
    "fr": (
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "merci",
        "merci beaucoup",
        "au revoir",
        "oui",
        "d accord",
        "aide",
        "parfait",
        "s il vous plait",
        "svp",
        "desabonner",
        "ou est",
    ),
    "it": (
        "ciao",
        "buongiorno",
        "buonasera",
        "salve",
        "grazie",
        "grazie mille",
        "arrivederci",
        "a presto",
        "aiuto",
        "perfetto",
        "per favore",
        "va bene",
        "dove",
    ),
    "pt": (
        "ola",
        "oi",
        "bom dia",
        "boa tarde",
        "boa noite",
        "obrigado",
        "obrigada",
        "muito obrigado",
        "muito obrigada",
        "tchau",
        "adeus",
        "ate logo",
        "sim",
        "nao",
        "ajuda",
        "perfeito",
        "onde",
    ),
}

#: "speech": the language the transcriber heard a voice note in.
Source = Literal["lexicon", "model", "fallback", "speech"]


@dataclass(frozen=True)
class LanguageGuess:
    language: str
    confidence: float
    source: Source


@cache
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_LINGUA).build()


def warm_up() -> None:
    """Build the detector now rather than on the first guest message."""
    _detector()


def detect_language(
    text: str,
    *,
    allowed: Sequence[str] = SUPPORTED,
    known: str | None = None,
    likely: str | None = None,
    default: str = "en",
) -> LanguageGuess:
    """The language to answer `text` in, restricted to `allowed`.

    `known` is the language the guest used before (conversation state or guest row); it breaks
    ties and is the fallback. `likely` (from a new guest's number) stands in for it only when
    there is no `known`: it never outweighs what the text itself says. Then `default` (the
    property's).
    """
    own = without_loanwords(_CODES.sub(" ", BUILTIN_REFERENCE.sub(" ", text)))
    words = tokens(normalise(own))
    # A prior is only a guess about a guest we have not heard from; what they wrote wins.
    tie_breaker = known if known is not None else likely
    if words and len(words) <= SHORT_MESSAGE_WORDS:
        guess = _from_lexicon(words, allowed=allowed, tie_breaker=tie_breaker)
        if guess is not None:
            return guess
    if words:
        guess = _from_model(
            own, short=len(words) <= 2, allowed=allowed, known=known, tie_breaker=tie_breaker
        )
        if guess is not None:
            return guess
    return _fallback(allowed=allowed, known=known, likely=likely, default=default)


def without_loanwords(text: str) -> str:
    """`text` without the hotel words every language borrows from English."""
    return _LOANWORDS.sub(" ", text.translate(_APOSTROPHES))


def marks(text: str) -> dict[str, int]:
    """How many distinct marks of each language `text` holds (characters and function words)."""
    folded = text.translate(_APOSTROPHES).casefold()
    found: dict[str, set[str]] = {}
    for char, langs in MARK_CHARACTERS.items():
        if char in folded:
            for lang in langs:
                found.setdefault(lang, set()).add(char)
    words = set(_WORD.findall(folded))
    # "c'è" is one mark, not "c'" plus "è"; elided articles ("dell'") keep their apostrophe.
    words |= {w.rstrip("'") for w in words} | {w.partition("'")[2] for w in words if "'" in w}
    for lang, vocabulary in _MARK_WORDS.items():
        hits = words & vocabulary
        if hits:
            found.setdefault(lang, set()).update(hits)
    return {lang: len(hits) for lang, hits in found.items()}


def _from_lexicon(
    words: list[str], *, allowed: Sequence[str], tie_breaker: str | None
) -> LanguageGuess | None:
    grams = set(words) | {" ".join(pair) for pair in pairwise(words)}
    grams |= {" ".join(tri) for tri in zip(words, words[1:], words[2:], strict=False)}
    votes = {
        lang: sum(1 for phrase in LEXICON[lang] if phrase in grams)
        for lang in allowed
        if lang in LEXICON
    }
    top = max(votes.values(), default=0)
    if top == 0:
        return None
    leaders = [lang for lang, count in votes.items() if count == top]
    if len(leaders) == 1:
        return LanguageGuess(leaders[0], 0.9, "lexicon")
    if tie_breaker in leaders:
        return LanguageGuess(tie_breaker, 0.6, "lexicon")
    return None


def _from_model(
    text: str,
    *,
    short: bool,
    allowed: Sequence[str],
    known: str | None,
    tie_breaker: str | None,
) -> LanguageGuess | None:
    """lingua's confidences plus the text's marks; None when no language stands out.

    A near-tie goes to `tie_breaker` (the known language, else the likely one) if it is in it.
    """
    scores = {lang: 0.0 for lang in allowed if lang in SUPPORTED}
    if not scores:
        return None
    for value in _detector().compute_language_confidence_values(text[:LINGUA_MAX_CHARS]):
        lang = _LINGUA[value.language]
        if lang in scores:
            scores[lang] = value.value
    found = marks(text)
    for lang, count in found.items():
        if lang in scores:
            scores[lang] += MARK_WEIGHT * min(count, MAX_MARKS)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, score), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0.0)
    # A one- or two-word text from a new guest is trusted like a sentence when a mark of its
    # language backs it; a guest we know keeps their language unless the evidence is strong.
    relaxed = not short or (known is None and best in found)
    needed = MIN_CONFIDENCE if relaxed else MIN_CONFIDENCE_SHORT
    if score < needed:
        return None
    if score - runner_up >= MIN_MARGIN:
        return LanguageGuess(best, round(min(score, 1.0), 3), "model")
    # Two languages nearly tied: the guest's own (or likely) language if it is one of them.
    if tie_breaker in scores and score - scores[tie_breaker] < MIN_MARGIN:
        return LanguageGuess(tie_breaker, round(min(scores[tie_breaker], 1.0), 3), "model")
    return None


def _fallback(
    *, allowed: Sequence[str], known: str | None, likely: str | None, default: str
) -> LanguageGuess:
    for candidate in (known, likely):
        if candidate is not None and candidate in allowed:
            return LanguageGuess(candidate, 0.0, "fallback")
    if default in allowed or not allowed:
        return LanguageGuess(default, 0.0, "fallback")
    return LanguageGuess(allowed[0], 0.0, "fallback")
