"""Stay dates in a guest's words → real dates, relative to the property's local today.

`parse_dates(text, language=..., today=...)` finds ranges ("3-5 Dec", "del 3 al 5 de diciembre",
"vom 3. bis 5. Dezember", "from the 14th to the 16th"), single dates ("next Friday", "tomorrow",
"March 3rd", "the 8th", "12/03"), "this weekend" and lengths ("for 2 nights", "una semana").
Rules cover the shapes guests use; `dateparser` (always with `languages=`) reads the leftovers.
A check-in is never in the past when a future reading exists: "the 8th" said on the 9th is next
month's 8th. Numeric dates whose day/month order is unclear set `ambiguous` (the bot should ask).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser  # type: ignore[import-untyped,unused-ignore]

from hotelbot.engine.understand import vocab

#: Longest stay we believe; "for 400 nights" is a typo or a joke, not a slot.
MAX_NIGHTS = 90
#: Languages writing numeric dates month first; everyone else writes day first.
_MONTH_FIRST: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DateSlots:
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    #: A date was mentioned that could not be resolved with confidence: ask the guest.
    ambiguous: bool = False


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    day: date
    departure: bool = False  # "until the 5th", "check out on Friday"


# --------------------------------------------------------------------------- resolution


def _next_on_or_after(today: date, month: int | None, day: int, year: int | None) -> date | None:
    """The first real date with this day (and month/year when given) that is not before today."""
    if year is not None and month is not None:
        return _safe_date(year, month, day)
    if month is not None:
        for y in (today.year, today.year + 1, today.year + 2):
            found = _safe_date(y, month, day)
            if found is not None and found >= today:
                return found
        return None
    y, m = today.year, today.month
    for _ in range(13):
        found = _safe_date(y, m, day)
        if found is not None and found >= today:
            return found
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return date(year, month, day)


def _year(token: str | None) -> int | None:
    if not token:
        return None
    value = int(token)
    return value + 2000 if value < 100 else value


# --------------------------------------------------------------------------- patterns


@lru_cache(maxsize=8)
def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    months = "|".join(sorted(vocab.months_for(language), key=len, reverse=True))
    month = rf"(?:{months})\.?"
    ordinal = r"(?:st|nd|rd|th|er|eme|o|a|º|\.)?"
    # At most three articles ("on the day the 5th"): unbounded, every word of a long "a a a …"
    # started a scan of the rest of the text (quadratic). Braces doubled: `atom` is formatted.
    art = r"(?:(?:the|el|le|il|l'|o|a|der|den|dem|los|les|day|dia|giorno)\s+){{0,3}}"
    atom = (
        rf"(?:(?P<{{p}}m1>{month})\s+{art}(?P<{{p}}d1>\d{{{{1,2}}}}){ordinal}"
        rf"|{art}(?P<{{p}}d2>\d{{{{1,2}}}}){ordinal}(?:\s*(?:of|de|di)?\s*(?P<{{p}}m2>{month}))?)"
        rf"(?:,?\s+(?P<{{p}}y>20\d\d))?"
    )
    a, b = atom.format(p="a"), atom.format(p="b")
    a, b = a.replace("{{", "{").replace("}}", "}"), b.replace("{{", "{").replace("}}", "}")
    connector = (
        r"(?:-|to|till|until|through|thru|and|al|a|hasta|bis(?:\s+zum|\s+zu\s+dem|\s+einschl\w*)?"
        r"|au|jusqu'au|jusqu au|fino\s+al|fino\s+all['\u2019]|all['\u2019]"
        r"|ao|ate|ate\s+o|e|y|und|et)"
    )
    lead = (
        r"(?:\b(?:from|between|del|desde\s+el|de|vom|von|ab\s+dem|du|dal|dall['\u2019]|entre|entre\s+o|"
        r"desde|do)\s+)?"
    )
    numbers = vocab.number_pattern(language)
    return {
        "range": re.compile(rf"{lead}\b{a}\s*{connector}\s*{b}(?![\d/])"),
        "single": re.compile(rf"\b{a}(?![\d/])"),
        "numeric": re.compile(r"\b(\d{1,2})([/.])(\d{1,2})(?:\2(\d{2,4}))?(?![\d/])(\.?)"),
        "iso": re.compile(r"\b(20\d\d)-(\d{1,2})-(\d{1,2})\b"),
        "in_days": re.compile(
            rf"\b(?:in|en|dans|tra|fra|em|daqui\s+a)\s+({numbers})\s+"
            r"(?:days?|dias|tagen|jours|giorni)\b"
        ),
        "duration": re.compile(
            rf"\b({numbers}|a|an|one|for\s+a|for\s+an)[\s-]+(?:whole\s+|full\s+|more\s+)?"
            r"(nights?|days?|noches?|dias?|nachte?|nacht|tage?|nuits?|jours?|notti|notte|"
            r"giorni|giorno|noites?|weeks?|semanas?|wochen?|semaines?|settimanas?|settimane)\b"
        ),
    }


_RELATIVE = (
    (
        2,
        r"day after tomorrow|pasado manana|ubermorgen|apres[- ]demain|dopodomani|"
        r"depois de amanha",
    ),
    (1, r"tomorrow|tmrw|manana|morgen|demain|domani|amanha"),
    (
        0,
        r"today|tonight|hoy|esta noche|heute|aujourd'hui|aujourd hui|ce soir|oggi|stasera|"
        r"stanotte|hoje|esta noite",
    ),
)
# "por la mañana" is the morning and "guten Morgen" a greeting, not tomorrow.
_NOT_TOMORROW = re.compile(r"\b(?:la|de|por|guten|buenas|buenos|esta)\s+(?:manana|morgen)\b")
_NEXT = (
    r"next|proximo|proxima|nachsten|nachster|naechsten|kommenden|prochain|prochaine|"
    r"prossimo|prossima|coming"
)
_THIS = r"this|este|esta|diesen|diesem|dieses|ce|cette|questo|questa|nesta|neste|on|el|am|le|il|o|a"
_WEEKEND = re.compile(
    rf"\b(?:(?P<next>{_NEXT})\s+)?(?:this\s+|este\s+|dieses\s+|am\s+|ce\s+|questo\s+|el\s+|le\s+|"
    r"il\s+|o\s+)?(?:weekend|fin de semana|wochenende|week-end|fine settimana|fim de semana)"
    rf"(?:\s+(?P<next2>{_NEXT}|que viene|que vem))?\b"
)
# Whole words only: "dates", "this" and "finora" hide "ate", "bis" and "fino".
_DEPARTURE_CUE = re.compile(
    r"\b(?:check(?:ing)?[- ]?out|leav\w*|depart\w*|until|till|through|salida|salgo|hasta|abreise|"
    r"abfahrt|bis|depart|jusqu|fino|partenza|ate|saida)\b\W*(?:\w+\W+){0,3}$"
)


# --------------------------------------------------------------------------- mention finders


def _atom_date(
    m: re.Match[str],
    p: str,
    today: date,
    language: str,
    fallback_month: int | None = None,
    fallback_year: int | None = None,
) -> date | None:
    months = vocab.months_for(language)
    day = int(m.group(f"{p}d1") or m.group(f"{p}d2"))
    name = m.group(f"{p}m1") or m.group(f"{p}m2")
    month = months.get(name.rstrip(".")) if name else fallback_month
    year = _year(m.group(f"{p}y")) or fallback_year
    return _next_on_or_after(today, month, day, year)


def _has_date_context(m: re.Match[str], p: str, text: str) -> bool:
    """A bare number is a day only with a month, an ordinal suffix or an article before it."""
    if m.group(f"{p}m1") or m.group(f"{p}m2"):
        return True
    chunk = text[m.start() : m.end()]
    if re.search(r"\d(?:st|nd|rd|th|er)\b", chunk):
        return True
    return bool(re.match(r"(?:the|el|le|il|l'|dia|day|giorno|o dia)\s", chunk))


_AGES_AFTER = re.compile(r"\s{0,3}(?:years?|yrs?|anos|anni|ans|jahre?n?|y\.?o\b)")


def _ranges(text: str, today: date, language: str) -> tuple[list[_Mention], str]:
    found: list[_Mention] = []
    for m in _patterns(language)["range"].finditer(text):
        has_month = any(m.group(g) for g in ("am1", "am2", "bm1", "bm2"))
        if not has_month and not (
            _has_date_context(m, "a", text)
            or m.group(0).startswith(
                ("from", "del", "vom", "du", "dal", "between", "entre", "do", "de")
            )
        ):
            continue
        if (
            not has_month
            and re.search(r"\d\s*-\s*\d", m.group(0))
            and not _has_date_context(m, "a", text)
        ):
            continue  # "2-3 people" is a head count, not dates
        if not has_month and _AGES_AFTER.match(text, m.end()):
            continue  # "2 niños de 4 y 7 años" are ages, not the 4th to the 7th
        b_month = vocab.months_for(language).get(
            (m.group("bm1") or m.group("bm2") or "").rstrip(".")
        )
        a_month = vocab.months_for(language).get(
            (m.group("am1") or m.group("am2") or "").rstrip(".")
        )
        year = _year(m.group("by")) or _year(m.group("ay"))
        start = _atom_date(m, "a", today, language, b_month, year)
        if start is None:
            continue
        end = _atom_date(
            m,
            "b",
            start,
            language,
            a_month or (b_month or start.month) if not b_month else None,
            year,
        )
        if end is None or end <= start:
            continue
        found.append(_Mention(m.start(), m.end(), start))
        found.append(_Mention(m.start(), m.end(), end, departure=True))
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return found, text


def _singles(text: str, today: date, language: str) -> tuple[list[_Mention], bool]:
    found: list[_Mention] = []
    ambiguous = False
    pats = _patterns(language)
    for m in pats["iso"].finditer(text):
        day = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            found.append(_Mention(m.start(), m.end(), day))
    for m in pats["numeric"].finditer(text):
        if m.group(2) == "." and not (m.group(4) or m.group(5)):
            continue  # "3.5" is a decimal, "3.5." or "3.5.2027" a German date
        resolved, unsure = _numeric(m, today, language)
        ambiguous = ambiguous or unsure
        if resolved:
            found.append(_Mention(m.start(), m.end(), resolved))
    blanked = pats["numeric"].sub(
        lambda x: " " * len(x.group(0)), pats["iso"].sub(lambda x: " " * len(x.group(0)), text)
    )
    for m in pats["single"].finditer(blanked):
        if not _has_date_context(m, "a", blanked) or _followed_by_unit(blanked, m.end()):
            continue
        resolved = _atom_date(m, "a", today, language)
        if resolved:
            found.append(_Mention(m.start(), m.end(), resolved))
    found += (
        _relative(text, today) + _weekdays(text, today, language) + _in_days(text, today, language)
    )
    found = [
        _Mention(x.start, x.end, x.day, departure=_after_departure_cue(text, x.start))
        for x in found
    ]
    return sorted(found, key=lambda x: x.start), ambiguous


#: A departure cue is at most three words before the date it marks: looking further back than
#: this many characters only costs time (each date used to rescan the whole text before it).
_CUE_WINDOW = 120


def _after_departure_cue(text: str, start: int) -> bool:
    # pos/endpos, not a slice: `\b` still sees the character before the window.
    return bool(_DEPARTURE_CUE.search(text, max(0, start - _CUE_WINDOW), start))


_UNITS = re.compile(
    r"\s*(?:adults?|people|persons?|guests?|ppl|pax|kids?|child|children|rooms?|nights?|days?|"
    r"adultos?|personas?|huespedes|ninos?|habitacion\w*|noches?|dias?|erwachsene\w*|personen|"
    r"gaste|kinder\w*|zimmer|nachte?|tage?|adultes?|personnes?|enfants?|chambres?|nuits?|jours?|"
    r"adulti|persone|bambini|camer\w|notti|giorni|pessoas|criancas|quartos?|noites?|years?|anos|"
    r"jahre?|ans|anni|stars?|estrellas|sterne|etoiles|stelle|estrelas|am|pm|h\b|uhr|euros?|eur|"
    r"%|minutes?|min|hours?|horas?|stunden|heures?|ore)\b"
)


def _followed_by_unit(text: str, end: int) -> bool:
    return bool(_UNITS.match(text, end))


def _numeric(m: re.Match[str], today: date, language: str) -> tuple[date | None, bool]:
    first, second = int(m.group(1)), int(m.group(3))
    year = _year(m.group(4))
    month_first = language in _MONTH_FIRST
    day_first = (second, first) if month_first else (first, second)
    readings = [day_first, (day_first[1], day_first[0])]
    valid = [(d, mo) for d, mo in readings if 1 <= mo <= 12 and 1 <= d <= 31]
    if not valid:
        return None, False
    day, month = valid[0]
    # Both orders are real dates and English writers use both: the bot should ask.
    unsure = len(valid) == 2 and first != second and language == "en"
    return _next_on_or_after(today, month, day, year), unsure


def _relative(text: str, today: date) -> list[_Mention]:
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    cleaned = _NOT_TOMORROW.sub(lambda x: " " * len(x.group(0)), text)
    for offset, words in _RELATIVE:
        for m in re.finditer(rf"\b(?:{words})\b", cleaned):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append(_Mention(m.start(), m.end(), today + timedelta(days=offset)))
    return found


def _weekdays(text: str, today: date, language: str) -> list[_Mention]:
    names = dict(vocab.WEEKDAYS)
    if language == "pt":
        names.update(vocab.PT_SHORT_WEEKDAYS)
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    pattern = re.compile(
        rf"\b(?:(?P<mod>{_NEXT}|{_THIS})\s+)?(?P<day>{alternatives})s?(?:\s+(?P<after>{_NEXT}))?\b"
    )
    found: list[_Mention] = []
    for m in pattern.finditer(text):
        weekday = names[m.group("day")]
        ahead = (weekday - today.weekday()) % 7
        inclusive = m.group("mod") in {"this", "este", "esta", "diesen", "ce", "questo", "nesta"}
        if ahead == 0 and not inclusive:
            ahead = 7
        found.append(_Mention(m.start(), m.end(), today + timedelta(days=ahead)))
    return found


def _in_days(text: str, today: date, language: str) -> list[_Mention]:
    found: list[_Mention] = []
    for m in _patterns(language)["in_days"].finditer(text):
        count = vocab.to_int(m.group(1), language)
        if count is not None and count <= 365:
            found.append(_Mention(m.start(), m.end(), today + timedelta(days=count)))
    return found


def _weekend(text: str, today: date) -> tuple[date, date] | None:
    m = _WEEKEND.search(text)
    if m is None:
        return None
    weekday = today.weekday()
    if weekday == 5:  # Saturday: tonight is still this weekend
        start = today
    else:
        start = today + timedelta(days=(4 - weekday) % 7 or (7 if weekday == 4 else 0))
        start = today if weekday == 4 else start
    if (m.group("next") or m.group("next2")) and weekday >= 4:
        start = start + timedelta(days=7 - (start.weekday() - 4))
    return start, start + timedelta(days=(6 - start.weekday()) or 1)


def _nights(text: str, language: str) -> int | None:
    for m in _patterns(language)["duration"].finditer(text):
        word, unit = m.group(1), m.group(2)
        if re.search(r"\b(?:in|en|dans|tra|fra|em|ago|hace|vor|il y a)\s*$", text[: m.start()]):
            continue  # "in 3 days" is a date, "3 days ago" the past
        if word in {"a", "an", "one", "for a", "for an"}:
            count = 1
        else:
            found = vocab.to_int(word, language)
            if found is None:
                continue
            count = found
        if unit.startswith(("week", "semana", "woche", "semaine", "settiman")):
            count *= 7
        if 0 < count <= MAX_NIGHTS:
            return count
    return None


def _dateparser_fallback(text: str, today: date, language: str) -> list[_Mention]:
    """Month names we do not list ("Okt.", "sept", other spellings) as dateparser reads them."""
    chunk = re.search(r"\b\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?([a-z]{3,10})\b", text)
    if chunk is None or chunk.group(1) in vocab.months_for(language):
        return []
    if _followed_by_unit(text, chunk.start() + len(chunk.group(0).split()[0])):
        return []
    parsed = _dateparser(chunk.group(0), language, today)
    if parsed is None:
        return []
    resolved = _next_on_or_after(today, parsed.month, parsed.day, None)
    return [_Mention(chunk.start(), chunk.end(), resolved)] if resolved else []


def _dateparser(text: str, language: str, today: date) -> datetime | None:
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month"],
    }
    langs = [language] if language in vocab.LANGUAGES else ["en"]
    return dateparser.parse(text, languages=langs, settings=settings)


# --------------------------------------------------------------------------- public


def parse_dates(text: str, *, language: str, today: date) -> DateSlots:
    """Check-in, check-out and nights stated in `text`, resolved against the property's today."""
    folded = vocab.fold(text)
    mentions, rest = _ranges(folded, today, language)
    singles, ambiguous = _singles(rest, today, language)
    if not singles and not mentions:
        singles = _dateparser_fallback(rest, today, language)
    mentions = sorted(mentions + singles, key=lambda x: (x.start, x.departure))
    nights = _nights(rest, language)
    weekend = _weekend(folded, today) if not mentions else None
    if weekend is not None:
        check_in, check_out = weekend
        return DateSlots(check_in, check_out, (check_out - check_in).days, ambiguous)
    return _combine(mentions, nights, ambiguous)


def _combine(mentions: list[_Mention], nights: int | None, ambiguous: bool) -> DateSlots:
    arrivals = [m.day for m in mentions if not m.departure]
    departures = [m.day for m in mentions if m.departure]
    check_in = arrivals[0] if arrivals else None
    check_out = departures[0] if departures else None
    if check_in is not None and check_out is None and len(arrivals) > 1 and arrivals[1] > check_in:
        check_out = arrivals[1]
    if check_in is not None and check_out is not None:
        if check_out <= check_in:
            return DateSlots(check_in, None, nights, True)
        span = (check_out - check_in).days
        return DateSlots(check_in, check_out, span, ambiguous or (nights not in (None, span)))
    if check_in is not None and nights is not None:
        return DateSlots(check_in, check_in + timedelta(days=nights), nights, ambiguous)
    return DateSlots(check_in, check_out, nights, ambiguous)
