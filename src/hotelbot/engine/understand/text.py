"""Text normalisation and phrase matching shared by the offline understanders.

Guests type without accents, with typos and in capitals; everything is compared after
`normalise()` ("¿Qué HORA es el desayúno?" → "que hora es el desayuno").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

_NON_WORD = re.compile(r"[\W_]+")
#: The built-in PMS's booking reference: a 3-letter prefix and 8 characters from an alphabet
#: without look-alikes (see pms/adapters/builtin), which may happen to contain no digit at all.
BUILTIN_REFERENCE = re.compile(r"\b[a-z]{3}-[acdefhjklmnprtuvwxy3479]{8}\b", re.IGNORECASE)

#: Words shorter than this are matched exactly: "cat"/"car" or "pet"/"pay" are too close.
FUZZY_MIN_LENGTH = 5
#: difflib ratio at or above which a token counts as a typo of a keyword ("breakfst").
FUZZY_RATIO = 0.84


def normalise(text: str) -> str:
    """Case-fold, strip accents and punctuation, collapse spaces: 'Frühstück?' → 'fruhstuck'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", stripped).split())


def tokens(normalised: str) -> list[str]:
    return normalised.split()


def has_phrase(normalised: str, phrase: str) -> bool:
    """Whole-word match of an already normalised phrase inside normalised text."""
    return f" {phrase} " in f" {normalised} "


def is_typo_of(token: str, keyword: str) -> bool:
    if len(token) < FUZZY_MIN_LENGTH or len(keyword) < FUZZY_MIN_LENGTH:
        return False
    if abs(len(token) - len(keyword)) > 2:
        return False
    return SequenceMatcher(None, token, keyword).ratio() >= FUZZY_RATIO


def best_phrase_score(normalised: str, phrases: Iterable[str]) -> float:
    """1.0 for an exact (whole-word) phrase, 0.8 for a one-word keyword typed with a typo."""
    words = tokens(normalised)
    best = 0.0
    for phrase in phrases:
        if has_phrase(normalised, phrase):
            return 1.0
        if " " not in phrase and any(is_typo_of(word, phrase) for word in words):
            best = 0.8
    return best


def normalise_all(phrases: Iterable[str]) -> tuple[str, ...]:
    return tuple(normalise(p) for p in phrases)
