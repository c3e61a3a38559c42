"""Booking details in a guest's words: dates, people, rooms, room type, booking reference.

`extract_slots(text, language=..., today=...)` states only what the text says or unambiguously
implies: "a couple" and "me and my wife" are two adults; a head count with no word about
children counts as adults; "4 of us, 2 kids" is two adults and two children. Counts accept
digits and number words in our six languages; room types accept names, synonyms and typos.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from hotelbot.engine.understand import vocab
from hotelbot.engine.understand.dates import parse_dates
from hotelbot.engine.understand.text import BUILTIN_REFERENCE

ROOM_TYPES = ("single", "double", "twin", "suite", "family")
#: Above this a count is a typo or a group booking for staff, not a slot.
MAX_PEOPLE = 30
MAX_ROOMS = 10
#: The single-valued slots, in the order of our labelled data sets (`Slots.as_dict`, scoring).
SCALAR_SLOTS = (
    "check_in", "check_out", "nights", "adults", "children", "rooms", "room_type", "booking_ref",
)  # fmt: skip


@dataclass(frozen=True)
class Slots:
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    adults: int | None = None
    children: int | None = None
    child_ages: tuple[int, ...] = ()
    rooms: int | None = None
    room_type: str | None = None
    booking_ref: str | None = None
    #: A date was mentioned that could not be resolved with confidence: ask, don't guess.
    ambiguous: bool = False
    extras: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, only the slots that were found (the shape of our labelled data sets)."""
        out: dict[str, object] = {}
        for name in SCALAR_SLOTS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value.isoformat() if isinstance(value, date) else value
        if self.child_ages:
            out["child_ages"] = list(self.child_ages)
        if self.ambiguous:
            out["ambiguous"] = True
        return out


_PEOPLE = (
    r"adults?|grown[- ]?ups?|people|persons?|guests?|ppl|pax|pers|adultos?|personas?|"
    r"huespedes|erwachsene\w*|personen|pers\.|gaste|leute|adultes?|personnes?|adulti|"
    r"persone|ospiti|adulto|pessoas|hospedes"
)
_ADULTS_ONLY = re.compile(r"^(?:adult|grown|adulto|erwachsen|adulte|adulti)")
_CHILDREN = (
    r"children|child|kids?|toddlers?|bab(?:y|ies)|infants?|ninos?|ninas?|hijos?|bebes?|"
    r"kinder\w*|kind|kleinkind\w*|enfants?|bebes?|bambin[oi]|bambine?|figli|neonat\w|"
    r"criancas?|filhos?|menores|menino|meninos"
)
_ROOMS = (
    r"rooms?|habitacion(?:es)?|habitaciones|cuartos?|zimmer|chambres?|camere|camera|"
    r"quartos?|stanze?|apartments?"
)
_PAIR = re.compile(
    r"\b(?:a\s+couple|una\s+pareja|ein\s+paar|un\s+couple|une\s+couple|una\s+coppia|um\s+casal|"
    r"(?:me|i)\s+and\s+my\s+(?:wife|husband|partner|girlfriend|boyfriend|fiancee?|friend|mum|mom|"
    r"dad|mother|father|sister|brother|colleague)|my\s+(?:wife|husband|partner|girlfriend|"
    r"boyfriend|fiancee?)\s+and\s+(?:i|me)|(?:mi|con\s+mi)\s+(?:esposa|esposo|mujer|marido|pareja|"
    r"novia|novio)\s+y\s+yo|yo\s+y\s+mi\s+(?:esposa|esposo|mujer|marido|pareja|novia|novio)|"
    r"meine\s+(?:frau|freundin|partnerin)\s+und\s+ich|mein\s+(?:mann|freund|partner)\s+und\s+ich|"
    r"ich\s+und\s+mein\w*\s+(?:frau|mann|freundin|freund|partner\w*)|"
    r"(?:ma|mon)\s+(?:femme|mari|copine|copain|compagne|compagnon|epouse|epoux)\s+et\s+moi|"
    r"moi\s+et\s+(?:ma|mon)\s+(?:femme|mari|copine|copain|compagne|compagnon)|"
    r"(?:mia|mio)\s+(?:moglie|marito|ragazza|ragazzo|compagna|compagno)\s+e\s+io|"
    r"io\s+e\s+(?:mia|mio)\s+(?:moglie|marito|ragazza|ragazzo|compagna|compagno)|"
    r"eu\s+e\s+(?:a\s+)?(?:minha|meu)\s+(?:esposa|mulher|marido|namorada|namorado|companheir\w)|"
    r"(?:minha|meu)\s+(?:esposa|mulher|marido|namorada|namorado)\s+e\s+eu|"
    r"for\s+two\s+of\s+us|nosotros\s+dos|wir\s+zwei|nous\s+deux|noi\s+due|nos\s+dois)\b"
)
_ALONE = re.compile(
    r"\b(?:just\s+me|only\s+me|myself\s+only|travel(?:l?ing)?\s+alone|by\s+myself|solo\s+yo|"
    r"viajo\s+sol[oa]|para\s+mi\s+sol[oa]|nur\s+ich|allein(?:e)?\s+reise|ich\s+alleine?|"
    r"moi\s+seul|je\s+voyage\s+seul|seule?\s+personne|solo\s+io|viaggio\s+da\s+sol[oa]|"
    r"so\s+eu|sozinh[oa]|una\s+persona|eine\s+person|une\s+personne|uma\s+pessoa|one\s+person)\b"
)


@lru_cache(maxsize=8)
def _count_patterns(language: str) -> dict[str, re.Pattern[str]]:
    n = vocab.number_pattern(language)
    return {
        "people": re.compile(rf"\b({n})\s+(?:(?!(?:{_ROOMS}|{_CHILDREN})\b)\w+\s+)?({_PEOPLE})\b"),
        "people_of_us": re.compile(
            rf"\b(?:we\s+are|we're|there\s+are|there\s+will\s+be|somos|seremos|wir\s+sind|"
            rf"nous\s+sommes|on\s+est|siamo|saremo|somos)\s+({n})\b|\b({n})\s+of\s+us\b|"
            rf"\b(?:party|group|family|familia|familie|famille|famiglia)\s+of\s+({n})\b|"
            rf"\bfor\s+({n})\s*(?:$|[?.!,]|please|pls|plz|from|on|next|this|tonight|tomorrow)"
        ),
        "children": re.compile(
            rf"\b({n})\s+(?:(?!(?:{_PEOPLE}|{_ROOMS})\b)\w+\s+)?({_CHILDREN})\b"
        ),
        "children_no": re.compile(rf"\b(?:no|sin|ohne|sans|senza|sem)\s+(?:{_CHILDREN})\b"),
        "children_word": re.compile(rf"\b(?:{_CHILDREN})\b"),
        "rooms": re.compile(rf"\b({n})\s+(?:(?!(?:{_PEOPLE}|{_CHILDREN})\b)\w+\s+)?(?:{_ROOMS})\b"),
        # Lists of ages are bounded ({0,8}): unbounded, every position of a long "1, 1, 1, …"
        # rescanned the rest of the list (quadratic).
        "ages": re.compile(
            r"(?:aged?|ages|de|von|di|com|age|edad(?:es)?|alter|anni)?\s*"
            r"(\d{1,2})(?:\s*(?:,|and|y|und|et|e|&)\s*(\d{1,2})){0,8}\s*"
            r"(?:years?|yrs?|y\.?o\.?|anos|jahre?n?|ans|anni)\b"
            r"|\b(?:aged?|ages|edades?|im\s+alter\s+von|agees?|di\s+eta|idades?)\s+"
            r"(\d{1,2})(?:\s*(?:,|and|y|und|et|e|&)\s*(\d{1,2})){0,8}"
        ),
    }


#: "una habitación" names the thing, it does not count it (as "a room" does not in English).
_ARTICLES = frozenset({"un", "una", "une", "uno", "um", "uma", "ein", "eine", "einen", "einem"})


def _first_count(
    pattern: re.Pattern[str],
    text: str,
    language: str,
    limit: int,
    skip: frozenset[str] = frozenset(),
) -> int | None:
    for m in pattern.finditer(text):
        for group in m.groups():
            if group is None or group in skip:
                continue
            value = vocab.to_int(group, language)
            if value is not None and 0 < value <= limit:
                return value
    return None


def _people(text: str, language: str) -> tuple[int | None, int | None, tuple[int, ...]]:
    pats = _count_patterns(language)
    adults: int | None = None
    heads: int | None = None
    for m in pats["people"].finditer(text):
        value = vocab.to_int(m.group(1), language)
        if value is None or not 0 < value <= MAX_PEOPLE:
            continue
        if _ADULTS_ONLY.match(m.group(2)):
            adults = value if adults is None else adults
        elif heads is None:
            heads = value
    if heads is None:
        heads = _first_count(pats["people_of_us"], text, language, MAX_PEOPLE)
    couples = re.search(
        rf"\b({vocab.number_pattern(language)})\s+(?:couples|parejas|paare|"
        r"couples|coppie|casais)\b",
        text,
    )
    if adults is None and heads is None and couples:
        value = vocab.to_int(couples.group(1), language)
        adults = value * 2 if value else None
    if adults is None and heads is None:
        if _PAIR.search(text):
            heads = 2
        elif _ALONE.search(text):
            heads = 1
    children, ages = _children(text, language)
    if adults is None and heads is not None:
        adults = heads - children if children and heads > children else heads
    return adults, children, ages


def _children(text: str, language: str) -> tuple[int | None, tuple[int, ...]]:
    pats = _count_patterns(language)
    if pats["children_no"].search(text):
        return 0, ()
    count = _first_count(pats["children"], text, language, MAX_PEOPLE)
    if count is None and not pats["children_word"].search(text):
        return None, ()
    ages: list[int] = []
    for m in pats["ages"].finditer(text):
        ages += [int(a) for a in re.findall(r"\d{1,2}", m.group(0)) if int(a) < 18]
    if count is None and ages:
        count = len(ages)
    return count, tuple(ages)


_ROOM_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "twin": (
        "twin",
        "twins",
        "two beds",
        "2 beds",
        "separate beds",
        "dos camas",
        "camas separadas",
        "zwei betten",
        "2 betten",
        "getrennte betten",
        "zweibettzimmer",
        "deux lits",
        "2 lits",
        "lits jumeaux",
        "lits separes",
        "due letti",
        "2 letti",
        "letti separati",
        "letti singoli",
        "duas camas",
        "2 camas",
        "camas de solteiro",
    ),
    "family": (
        "family",
        "familiar",
        "familienzimmer",
        "familien",
        "familiale",
        "familial",
        "familiare",
        "famiglia",
        "familia",
    ),
    "suite": ("suite", "suites", "junior suite"),
    "double": (
        "double",
        "doble",
        "doppelzimmer",
        "doppel",
        "doppelbett",
        "matrimonial",
        "matrimoniale",
        "doppia",
        "casal",
        "duplo",
        "queen",
        "king",
        "king size",
        "cama de matrimonio",
        "lit double",
        "letto matrimoniale",
        "kingsize",
    ),
    "single": (
        "single",
        "individual",
        "einzelzimmer",
        "einzel",
        "einzelbett",
        "simple",
        "singola",
        "singolo",
        "solteiro",
        "individuale",
    ),
}
# "a single night", "double-check", "family of four" are not room types.
_ROOM_TYPE_FALSE = re.compile(
    r"\b(?:single\s+(?:night|day|person|one|question|thing)|double[- ]check\w*|family\s+of|"
    r"famil\w+\s+(?:de|von|di|of)\s+\d|with\s+my\s+family|mit\s+meiner\s+familie|con\s+mi\s+familia|"
    r"avec\s+ma\s+famille|con\s+la\s+mia\s+famiglia|com\s+a\s+minha\s+familia|minha\s+familia|"
    r"mi\s+familia|my\s+family|meine\s+familie|ma\s+famille|la\s+mia\s+famiglia|family\s+emergency)\b"
)


def room_type_of(text: str) -> str | None:
    """The room type a folded text names, by word, synonym or a typo of one ("dubble", "sweet")."""
    cleaned = _ROOM_TYPE_FALSE.sub(" ", text)
    padded = f" {cleaned} "
    for kind, words in _ROOM_TYPE_WORDS.items():
        if any(f" {w} " in padded for w in words):
            return kind
    tokens = cleaned.split()
    for kind, words in _ROOM_TYPE_WORDS.items():
        singles = [w for w in words if " " not in w]
        if any(vocab.is_typo_of(t, w) for t in tokens for w in singles):
            return kind
    return None


_REF_CUE = (
    r"(?:reference|ref|booking|reservation|confirmation|conf|localizador|reserva|"
    r"buchung\w*|reservierung\w*|buchungsnummer|reservation|dossier|prenotazione|codice|"
    r"numero|number|nummer|no|nr|n|num|code|codigo)"
)
# Lookaheads bounded by the longest reference: unbounded, each word boundary inside a long
# run such as "1-1-1-…" rescanned the rest of the run (quadratic).
_REF = re.compile(r"\b(?=[a-z0-9-]{0,15}\d)(?=[a-z0-9-]{0,15}[a-z])[a-z0-9][a-z0-9-]{4,15}\b")
_REF_DIGITS = re.compile(
    rf"\b{_REF_CUE}\.?\s*(?:#|:|n\.?|nr\.?|no\.?|number|numero|nummer)?\s*"
    r"(?:is|es|ist|est|e|era|:)?\s*#?(\d{5,12})\b"
)
_NOT_REF = re.compile(
    r"^(?:\d{1,2}(?:st|nd|rd|th|er|h|pm|am)|\d+(?:km|kg|eur|usd|gb|mb|min|ppl|pax|x)|"
    r"\d{1,2}h\d{2}|\d+-\d+|[a-z]+-\d{1,2}|\d{1,2}-[a-z]+|covid-?19|wifi\w*|mp3|mp4|4g|5g)$"
)


def booking_ref_of(original: str) -> str | None:
    """A booking reference (ours like "HB7K2Q", or a PMS's), upper-cased; never a date or a time."""
    folded = vocab.fold(original)
    if builtin := BUILTIN_REFERENCE.search(folded):
        return builtin.group(0).upper()
    for m in _REF.finditer(folded):
        token = m.group(0)
        if _NOT_REF.match(token) or token.count("-") > 2:
            continue
        return token.upper()
    digits = _REF_DIGITS.search(folded)
    return digits.group(1) if digits else None


#: Stay details only belong to intents about a stay: "a taxi tomorrow" has no check-in.
_STAY_INTENTS = frozenset(
    {"book", "modify_booking", "cancel_booking", "booking_status", "affirm", "negate"}
)


def for_intent(slots: Slots, intent: str) -> Slots:
    """The slots that matter for `intent`: no check-in or head count for a taxi or a question."""
    if intent in _STAY_INTENTS:
        return slots
    return Slots(
        booking_ref=slots.booking_ref if intent != "out_of_scope" else None,
        room_type=slots.room_type if intent == "faq" else None,
    )


def extract_slots(text: str, *, language: str, today: date) -> Slots:
    """Every booking detail `text` states, relative to the property's `today`."""
    folded = vocab.fold(text)
    dates = parse_dates(text, language=language, today=today)
    adults, children, ages = _people(folded, language)
    rooms = _first_count(
        _count_patterns(language)["rooms"], folded, language, MAX_ROOMS, skip=_ARTICLES
    )
    return Slots(
        check_in=dates.check_in,
        check_out=dates.check_out,
        nights=dates.nights,
        adults=adults,
        children=children,
        child_ages=ages,
        rooms=rooms,
        room_type=room_type_of(folded),
        booking_ref=booking_ref_of(text),
        ambiguous=dates.ambiguous,
    )
