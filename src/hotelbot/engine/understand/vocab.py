"""Word lists in our six languages (en, es, de, fr, it, pt) shared by the date and slot parsers.

Every entry is *folded* (see `fold()`): lower case, no accents, so "Décembre", "dezembro" and
"DICIEMBRE" all meet the same table. Words that mean something else in another language
("once" is eleven in Spanish, "sei" six in Italian) count only in their own language.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")

_KEEP = re.compile(r"[^a-z0-9/.\-:' ]+")


def fold(text: str) -> str:
    """Case-fold, strip accents, keep letters, digits and the date punctuation `/ . - : '`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("’", "'").replace("–", "-").replace("—", "-")  # noqa: RUF001
    return " ".join(_KEEP.sub(" ", stripped).split())


def is_typo_of(token: str, word: str, *, ratio: float = 0.8) -> bool:
    """True when `token` is `word` typed with a slip ("dubble" → "double"); short words never."""
    if token == word:
        return True
    if len(token) < 5 or len(word) < 5 or abs(len(token) - len(word)) > 2:
        return False
    return SequenceMatcher(None, token, word).ratio() >= ratio


MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "de": "januar februar marz april mai juni juli august september oktober november dezember",
    "fr": "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro marco abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
}
for _names in _MONTH_NAMES.values():
    for _i, _name in enumerate(_names.split(), start=1):
        MONTHS[_name] = _i
MONTHS.update({"setiembre": 9, "jaenner": 1, "maerz": 3, "janner": 1})

#: Abbreviations collide with ordinary words ("set", "out", "mar"): only in their own language.
MONTH_ABBREVIATIONS: dict[str, dict[str, int]] = {
    "en": dict(
        jan=1, feb=2, mar=3, apr=4, jun=6, jul=7, aug=8, sep=9, sept=9, oct=10, nov=11, dec=12
    ),
    "es": dict(
        ene=1,
        feb=2,
        mar=3,
        abr=4,
        may=5,
        jun=6,
        jul=7,
        ago=8,
        sep=9,
        sept=9,
        oct=10,
        nov=11,
        dic=12,
    ),
    "de": dict(
        jan=1, feb=2, mar=3, apr=4, jun=6, jul=7, aug=8, sep=9, sept=9, okt=10, nov=11, dez=12
    ),
    "fr": dict(janv=1, fev=2, fevr=2, avr=4, juil=7, sept=9, oct=10, nov=11, dec=12),
    "it": dict(
        gen=1, feb=2, mar=3, apr=4, mag=5, giu=6, lug=7, ago=8, set=9, ott=10, nov=11, dic=12
    ),
    "pt": dict(
        jan=1, fev=2, mar=3, abr=4, mai=5, jun=6, jul=7, ago=8, set=9, out=10, nov=11, dez=12
    ),
}


def months_for(language: str) -> dict[str, int]:
    """Full month names of every language plus the abbreviations of `language` and English."""
    table = dict(MONTHS)
    table.update(MONTH_ABBREVIATIONS["en"])
    table.update(MONTH_ABBREVIATIONS.get(language, {}))
    return table


WEEKDAYS: dict[str, int] = {}
_WEEKDAY_NAMES = {
    "en": "monday tuesday wednesday thursday friday saturday sunday",
    "es": "lunes martes miercoles jueves viernes sabado domingo",
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "it": "lunedi martedi mercoledi giovedi venerdi sabato domenica",
    "pt": "segunda-feira terca-feira quarta-feira quinta-feira sexta-feira sabado domingo",
}
for _names in _WEEKDAY_NAMES.values():
    for _i, _name in enumerate(_names.split()):
        WEEKDAYS[_name] = _i
WEEKDAYS.update(
    {
        "sonnabend": 5,
        "segunda feira": 0,
        "terca feira": 1,
        "quarta feira": 2,
        "quinta feira": 3,
        "sexta feira": 4,
    }
)
#: Bare Portuguese weekday names are also ordinals ("segunda noite"): Portuguese only.
PT_SHORT_WEEKDAYS = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4}

_NUMBERS = {
    "en": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen",
    "es": "uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince",
    "de": "eins zwei drei vier funf sechs sieben acht neun zehn elf zwolf dreizehn vierzehn "
    "funfzehn",
    "fr": "un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze",
    "it": "uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici "
    "quattordici quindici",
    "pt": "um dois tres quatro cinco seis sete oito nove dez onze doze treze catorze quinze",
}
_EXTRA_NUMBERS = {
    "es": {"un": 1, "una": 1},
    "de": {"ein": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1},
    "fr": {"une": 1},
    "it": {"un": 1, "una": 1},
    "pt": {"uma": 1, "duas": 2},
    "en": {"single": 1},
}
#: Number words that are ordinary words elsewhere ("once", "sei", "dos", "due", "elf", "sept").
_OWN_LANGUAGE_ONLY = {
    "once",
    "sei",
    "dos",
    "due",
    "elf",
    "sept",
    "un",
    "una",
    "uno",
    "une",
    "um",
    "uma",
    "ein",
    "eine",
    "einen",
    "einem",
    "einer",
    "single",
    "tre",
    "acht",
    "neun",
    "dez",
    "sete",
    "onze",
}


def _numbers_of(language: str) -> dict[str, int]:
    table = {w: i for i, w in enumerate(_NUMBERS[language].split(), start=1)}
    table.update(_EXTRA_NUMBERS.get(language, {}))
    return table


_NUMBER_TABLES = {lang: _numbers_of(lang) for lang in LANGUAGES}


def numbers_for(language: str) -> dict[str, int]:
    """Number words one to fifteen: every language's, except look-alikes of other languages."""
    merged: dict[str, int] = {}
    for lang, table in _NUMBER_TABLES.items():
        for word, value in table.items():
            if word not in _OWN_LANGUAGE_ONLY or lang == language:
                merged.setdefault(word, value)
    merged.update(_NUMBER_TABLES.get(language, {}))
    return merged


def number_pattern(language: str) -> str:
    """A regex alternative matching a digit count or a number word of `language`."""
    words = sorted(numbers_for(language), key=len, reverse=True)
    return r"(?:\d{1,3}|" + "|".join(words) + r")"


def to_int(token: str, language: str) -> int | None:
    if token.isdigit():
        return int(token)
    return numbers_for(language).get(token)
