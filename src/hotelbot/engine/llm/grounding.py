"""Is a model's reply grounded in this turn's tool results? Facts a guest could act on — a price,
a date, availability, a booking reference, a phone number, a booking or cancellation done — must
be found in what the tools returned (or the hotel's own facts); any other reply is not sent.

The check reads the reply as a guest would: numbers in either decimal notation ("1.234,50 €",
"345.00 EUR"), dates numeric or with month names in the six languages, references as the PMS
writes them. It also stops a reply that repeats the system prompt. It is deliberately strict: a
false alarm costs a templated reply instead of a phrased one, a miss could cost the hotel.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from hotelbot.engine.understand.vocab import MONTHS

#: Tool names whose successful result grounds each claim.
AVAILABILITY_TOOLS = frozenset({"check_availability", "quote"})
WRITE_TOOLS = {
    "booking": frozenset({"book_room", "change_booking"}),
    "cancellation": frozenset({"cancel_booking"}),
    "service": frozenset({"request_service"}),
}

_MONEY_CUE = re.compile(r"(?:[€$£]|\b(?:EUR|USD|GBP|CHF|euros?|dollars?|pounds?)\b)", re.IGNORECASE)
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s?%")
_DECIMAL_PRICE = re.compile(r"(?<![\w.,/-])\d{1,3}(?:[.,\u00a0 ]\d{3})*[.,]\d{2}(?![\d/.-])")
_AMOUNT = r"\d{1,3}(?:[.,\u00a0 ]\d{3})*(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d{1,2})?"
_NUMBER = re.compile(rf"(?<![\d.,])(?:{_AMOUNT})")
_NEAR_MONEY = re.compile(
    rf"(?:[€$£]\s?|\b(?:EUR|USD|GBP|CHF)\s?)({_AMOUNT})"
    rf"|(?<![\d.,])({_AMOUNT})\s?(?:[€$£]|(?:EUR|USD|GBP|CHF|euros?|dollars?)\b)",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})")
_NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,4})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?(?![\d/-])")
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|º|ª|\.)?\s+(?:de\s+|of\s+)?({_MONTH_WORDS})\b"
    rf"(?:\s+(?:de\s+)?((?:19|20)\d{{2}}))?",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_WORDS})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+((?:19|20)\d{{2}}))?",
    re.IGNORECASE,
)
_REFERENCE = re.compile(
    r"\b[A-Z0-9]{2,}(?:-[A-Z0-9]{3,})+\b|\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,}\b"
)
_PHONE = re.compile(r"\+?\d[\d ()-]{6,}\d")
_AVAILABILITY = re.compile(
    r"\b(?:available|availability|free rooms?|sold out|fully booked|disponibles?|"
    r"disponibilidad|verfügbar\w*|ausgebucht|freie zimmer|disponibilit[éà]|complet|"
    r"disponibil[ei]|disponíve(?:l|is)|esgotado|libres?)\b",
    re.IGNORECASE,
)
_CLAIMS = {
    "booking": re.compile(
        r"\b(?:booked|is confirmed|booking confirmed|reserved|reservad[oa]|confirmad[oa]|"
        r"gebucht|bestätigt|réservée?s?|confirmée?s?|prenotat[oa]|confermat[oa])\b",
        re.IGNORECASE,
    ),
    "cancellation": re.compile(
        r"\b(?:cancell?ed|cancelad[oa]|anulad[oa]|storniert|annulée?s?|cancellat[oa]|"
        r"annullat[oa])\b",
        re.IGNORECASE,
    ),
}
#: Words in a row of the system prompt that a reply may not repeat.
LEAK_WORDS = 8


@dataclass
class Evidence:
    """What this turn's tools returned (and the hotel's facts), as the check reads it."""

    texts: list[str] = field(default_factory=list)
    #: Tools that answered without an error this turn.
    succeeded: set[str] = field(default_factory=set)
    #: The system prompt, which a reply must not repeat.
    secret_text: str = ""

    def add(self, tool: str, result: str, *, ok: bool) -> None:
        self.texts.append(result)
        if ok:
            self.succeeded.add(tool)

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


def ungrounded(reply: str, evidence: Evidence) -> list[str]:
    """The kinds of fact the reply states without evidence (empty = the reply may be sent)."""
    known = evidence.text
    problems: list[str] = []
    if not _amounts(_prices(reply)) <= _amounts(_all_numbers(known)):
        problems.append("price")
    if not _dates_found(_fold(reply), _dates_in(known)):
        problems.append("date")
    if any(ref.upper() not in known.upper() for ref in _REFERENCE.findall(reply)):
        problems.append("reference")
    if any(_digits(p) not in _digits(known) for p in _PHONE.findall(reply) if len(_digits(p)) >= 7):
        problems.append("phone")
    if _AVAILABILITY.search(reply) and not evidence.succeeded & AVAILABILITY_TOOLS:
        problems.append("availability")
    for kind, claim in _CLAIMS.items():
        if claim.search(reply) and not evidence.succeeded & WRITE_TOOLS[kind]:
            problems.append(kind)
    if evidence.secret_text and _repeats(reply, evidence.secret_text):
        problems.append("prompt_leak")
    return problems


def _prices(text: str) -> list[str]:
    found = [m.group(1) or m.group(2) for m in _NEAR_MONEY.finditer(text)]
    found += _DECIMAL_PRICE.findall(_strip_dates(text))
    found += [p.rstrip("% ") for p in _PERCENT.findall(text)]
    return found


def _strip_dates(text: str) -> str:
    text = _ISO_DATE.sub(" ", text)
    return _NUMERIC_DATE.sub(lambda m: " " if m.group(3) else m.group(0), text)


def _all_numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _amounts(raw: Iterable[str]) -> set[Decimal]:
    """Every reading of each number (decimal comma or point; a separator may group thousands)."""
    values: set[Decimal] = set()
    for item in raw:
        compact = item.replace("\u00a0", "").replace(" ", "")
        for candidate in _readings(compact):
            try:
                values.add(Decimal(candidate).normalize())
            except InvalidOperation:
                continue
    return values


def _readings(compact: str) -> set[str]:
    if "," not in compact and "." not in compact:
        return {compact}
    last = max(compact.rfind(","), compact.rfind("."))
    whole, fraction = compact[:last], compact[last + 1 :]
    grouped = re.sub(r"[.,]", "", whole)
    readings = {f"{grouped}.{fraction}"}
    if len(fraction) == 3:  # "1.234" or "1,234": a thousands separator as well
        readings.add(grouped + fraction)
    return readings


def _dates_in(text: str) -> set[date]:
    found: set[date] = set()
    for year, month, day_ in _ISO_DATE.findall(text):
        found |= _valid(int(year), int(month), int(day_))
    return found


def _dates_found(reply: str, known: set[date]) -> bool:
    """Every date the reply states is one of `known` (a year left out matches any year)."""
    for first, second, third in _NUMERIC_DATE.findall(_ISO_DATE.sub(" ", reply)):
        if len(first) == 4:
            candidates = _valid(int(first), int(second), int(third or 0))
        else:
            year = _year(third)
            candidates = _valid(year, int(second), int(first)) | _valid(
                year, int(first), int(second)
            )
        if not _matches(candidates, known, bool(third) or len(first) == 4):
            return False
    for year, month, day_ in _ISO_DATE.findall(reply):
        if not _valid(int(year), int(month), int(day_)) & known:
            return False
    for match in _DAY_MONTH.finditer(reply):
        month = MONTHS.get(_fold(match.group(2)), 0)
        candidates = _valid(_year(match.group(3)), month, int(match.group(1)))
        if not _matches(candidates, known, bool(match.group(3))):
            return False
    for match in _MONTH_DAY.finditer(reply):
        month = MONTHS.get(_fold(match.group(1)), 0)
        candidates = _valid(_year(match.group(3)), month, int(match.group(2)))
        if not _matches(candidates, known, bool(match.group(3))):
            return False
    return True


def _year(text: str | None) -> int:
    if not text:
        return 2000  # leap year: 29 February stays valid; the year is not compared
    value = int(text)
    return value + 2000 if value < 100 else value


def _matches(candidates: set[date], known: set[date], with_year: bool) -> bool:
    if not candidates:
        return True  # "1/2 price", "24/7": not a calendar date
    if with_year:
        return bool(candidates & known)
    return bool({(d.month, d.day) for d in candidates} & {(d.month, d.day) for d in known})


def _valid(year: int, month: int, day_: int) -> set[date]:
    try:
        return {date(year, month, day_)}
    except ValueError:
        return set()


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _repeats(reply: str, secret: str) -> bool:
    words = re.findall(r"\w+", secret.casefold())
    said = " ".join(re.findall(r"\w+", reply.casefold()))
    return any(
        " ".join(words[i : i + LEAK_WORDS]) in said for i in range(len(words) - LEAK_WORDS + 1)
    )
