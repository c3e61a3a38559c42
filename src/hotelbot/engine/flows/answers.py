"""What the guest answered, for flows that ask questions (manage, service).

`read()` gathers from an `Understanding` what a multi-step flow needs: the pressed button or
list row (`choice`), the typed text, the intent, the slots, the acts (yes/no) and the service
named. Fields the understanding does not carry (yet) are computed here from the text with the
same offline NLU, so these flows work whichever understander filled the turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from hotelbot.engine.understand import Understanding, vocab
from hotelbot.engine.understand.classifier import classify, detect_acts
from hotelbot.engine.understand.slots import Slots, extract_slots

if TYPE_CHECKING:
    from hotelbot.engine.context import TurnContext

YES = "yes"
NO = "no"
_NEGATIVE_WORDS = {"no", "nope", "nah", "nein", "non", "nao", "keep", "mantener", "behalten"}


@dataclass(frozen=True)
class Answer:
    text: str = ""
    #: The id of the button or list row the guest pressed, "" when they typed.
    choice: str = ""
    intent: str = ""
    slots: Slots = field(default_factory=Slots)
    acts: frozenset[str] = frozenset()
    service: str | None = None

    def picked(self, prefix: str) -> str | None:
        """The value of a choice `prefix:value` the guest pressed, if they pressed one."""
        head, _, value = self.choice.rpartition(":")
        return value if head == prefix and value else None

    @property
    def yes(self) -> bool:
        if self.choice:
            return self.choice.endswith(f":{YES}")
        return self.intent == "affirm" or ("affirm" in self.acts and "negate" not in self.acts)

    @property
    def no(self) -> bool:
        if self.choice:
            return self.choice.endswith(f":{NO}")
        words = vocab.fold(self.text).split()
        return (
            self.intent == "negate"
            or "negate" in self.acts
            or bool(words and words[0] in _NEGATIVE_WORDS)
        )


def read(ctx: TurnContext, understanding: Understanding) -> Answer:
    """The guest's answer this turn, in the shape the flows ask about."""
    text = str(getattr(understanding, "text", "") or "")
    choice = str(
        getattr(understanding, "choice_id", None) or getattr(understanding, "choice", None) or ""
    )
    language = understanding.language
    slots = getattr(understanding, "slots", None)
    if not isinstance(slots, Slots):
        today = ctx.local_now().date()
        slots = extract_slots(text, language=language, today=today) if text else Slots()
    acts = getattr(understanding, "acts", None)
    if not isinstance(acts, frozenset):
        acts = detect_acts(text) if text else frozenset()
    service = getattr(understanding, "service", None)
    if service is None and text:
        service = classify(text, language=language).service
    return Answer(
        text=text,
        choice=choice,
        intent=str(understanding.intent),
        slots=slots,
        acts=acts,
        service=service,
    )


# ---- small readers for typed answers -------------------------------------------------------

_ROOM = re.compile(
    r"\b(?:room|rm|habitacion|cuarto|zimmer|chambre|camera|stanza|quarto|apartamento|suite)"
    r"\s*(?:n(?:o|r|um|umber|umero|ummer)?\.?\s*|#\s*)?([a-z]?\d{1,5}[a-z]?)\b"
)
_TIME = re.compile(r"\b(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|h|uhr|hs|hrs)?\b")
#: A bare hour after a clock preposition ("at 7", "a las 7", "um 7", "alle 7", "às 7", "vers 7").
_AT_HOUR = re.compile(
    r"\b(?:at|around|a las|a la|as|um|gegen|vers|alle|verso|ore)\s+(\d{1,2})\b(?![:h.]?\d)"
)


def room_number(text: str) -> str | None:
    """ "room 214", "habitación 214", "Zimmer 12b", or a bare number typed on its own."""
    folded = vocab.fold(text)
    if m := _ROOM.search(folded):
        return m.group(1).upper()
    bare = folded.strip().lstrip("#")
    return bare.upper() if re.fullmatch(r"[a-z]?\d{1,5}[a-z]?", bare) else None


def clock_time(text: str) -> time | None:
    """A time of day: "17:30", "5pm", "17h", "um 9 Uhr"; a bare number only with a marker."""
    for m in _TIME.finditer(vocab.fold(text)):
        hour, minute, marker = int(m.group(1)), int(m.group(2) or 0), m.group(3)
        if m.group(2) is None and marker is None:
            continue
        if marker == "pm" and hour < 12:
            hour += 12
        if marker == "am" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            return time(hour, minute)
    if (bare := _AT_HOUR.search(vocab.fold(text))) and int(bare.group(1)) < 24:
        return time(int(bare.group(1)), 0)
    return None


def when(text: str, *, slots: Slots, now: datetime) -> datetime | None:
    """The moment the guest asked for (local, aware): a time, on the date named or next."""
    at = clock_time(text)
    if at is None:
        return None
    day: date = slots.check_in or now.date()
    moment = datetime.combine(day, at, tzinfo=now.tzinfo)
    if slots.check_in is None and moment < now:
        moment += timedelta(days=1)
    return moment


# ---- how values are shown ------------------------------------------------------------------

_COMMA_DECIMAL = {"es", "de", "fr", "it", "pt"}


def money(amount: Decimal, currency: str, language: str) -> str:
    """An amount as the guest writes it: "1,234.50 EUR" in English, "1.234,50 EUR" in German."""
    text = f"{amount.quantize(Decimal('0.01')):,.2f}"
    if language in _COMMA_DECIMAL:
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} {currency}"


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def short_ref(value: str) -> str:
    """A PMS id as a guest can read it back: a UUID's first 8 characters upper-cased
    ("3F2A9C1E"); any other id (a PMS's own "SR-101") is shown as it is."""
    value = value.strip()
    return value[:8].upper() if _UUID.fullmatch(value) else value


def day(value: date, language: str) -> str:
    """A calendar date in the guest's usual numeric form."""
    if language == "de":
        return value.strftime("%d.%m.%Y")
    return value.strftime("%d/%m/%Y")
