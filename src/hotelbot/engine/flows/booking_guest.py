"""Reading the guest's name and e-mail address for a booking (the `name` and `email` stages).

Pure text: a full name typed with or without an intro ("my name is …", "me llamo …"), an
address typed with the name, before it or alone. Nothing here calls a tool.
"""

from __future__ import annotations

import re

from hotelbot.engine.flow_states import BookingStage
from hotelbot.engine.flows.booking_stay import has_stay_details
from hotelbot.engine.tools import SURNAME_JOINER, SURNAME_PARTICLES
from hotelbot.engine.understand import Understanding

_APOSTROPHES = "'\u2019"
_NAME = re.compile(rf"^[^\W\d_]+(?:[ {_APOSTROPHES}.-]+[^\W\d_]+)*\.?$")
#: An address the PMS contract accepts (`local@domain.tld`), found anywhere in the message.
# The lookbehind starts a match only where a run of address characters starts: without it,
# every position of a long run without "@" rescans the rest of the run (quadratic).
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")

#: "My name is …", "me llamo …", "au nom de …": words before the name, not part of it.
_NAME_INTRO = re.compile(
    r"^(?:(?:my|the)\s+name\s+is|my\s+name's|name\s*:|it's|it\s+is|i\s+am|i'm|"
    r"under(?:\s+the\s+name(?:\s+of)?)?|me\s+llamo|mi\s+nombre\s+es|nombre\s*:|soy|"
    r"a\s+nombre\s+de|ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|name\s+ist|ich\s+bin|"
    r"auf\s+den\s+namen|je\s+m['\u2019]appelle|mon\s+nom\s+est|nom\s*:|je\s+suis|"
    r"au\s+nom\s+de|mi\s+chiamo|il\s+mio\s+nome\s+(?:è|e)|nome\s*:|sono|a\s+nome\s+di|"
    r"chamo-me|me\s+chamo|(?:o\s+)?meu\s+nome\s+(?:é|e)|sou|em\s+nome\s+de)\s+",
    re.IGNORECASE,
)

#: Words that join or label an e-mail typed with the name ("Ana Sousa and my email is …").
_EMAIL_WORDS = frozenset(
    {"and", "my", "email", "e-mail", "mail", "is", "y", "mi", "correo", "es", "und", "meine",
     "mein", "ist", "et", "mon", "courriel", "adresse", "est", "e", "il", "mio", "la", "mia", "è",
     "o", "meu", "é"}
)  # fmt: skip


def answers_guest_question(stage: BookingStage, understanding: Understanding) -> bool:
    """Whether the message answers the pending question for the guest's name or e-mail.

    Asked for a name, "actually three adults" changes the stay, but "Carmen Domingo" (Sunday)
    is a name: words that read as a stay detail count as a name only when each is capitalised.
    """
    email = email_in(understanding.text)
    if stage is BookingStage.EMAIL:
        return email is not None
    if stage is not BookingStage.NAME:
        return False
    typed = without_email(understanding.text, email)
    if name_of(typed) is None:
        return email is not None and not typed.strip()  # the address alone, before the name
    return not has_stay_details(understanding.slots) or all(
        w[:1].isupper() for w in _NAME_INTRO.sub("", typed).split()
    )


def email_in(text: str) -> str | None:
    """The e-mail address in the message, if it holds exactly one the PMS would accept."""
    found = _EMAIL.findall(text)
    if len(found) != 1 or len(found[0]) > 254:
        return None
    return str(found[0])


def without_email(text: str, email: str | None) -> str:
    """The message minus the address and the words around it, to read the name.

    The name may come first ("Ana Sousa and my email is …") or after it ("… and my name is Ana
    Sousa", "… is my email, Ana Sousa"); an intro such as "my name is" is kept for `name_of`.
    """
    if email is None:
        return text
    before, _, after = text.partition(email)
    head, tail = _words(before), _words(after)
    while head and head[-1].casefold() in _EMAIL_WORDS:
        head.pop()
    while tail and tail[0].casefold() in _EMAIL_WORDS and not _NAME_INTRO.match(" ".join(tail)):
        tail.pop(0)
    return " ".join(head + tail)


def _words(fragment: str) -> list[str]:
    """The words of a message fragment, without the punctuation around an address."""
    return [w for w in re.split(r"[\s,;:()<>]+", fragment.strip(" ,;:()<>.!")) if w]


def name_of(text: str, language: str = "") -> tuple[str, str] | None:
    """(first name, surname) typed as a full name; None when it is not a name.

    The surname is the last word with the particles before it ("Maria José da Silva" →
    "Maria José" / "da Silva"); Spanish names carry two surnames, so in Spanish three words or
    more end in two ("Juan García López" → "Juan" / "García López"). The guest can later find
    the booking with reference + surname (either of two); a single word is a first name only.
    """
    cleaned = _NAME_INTRO.sub("", " ".join(text.split())).strip()
    if not cleaned or len(cleaned) > 100 or not _NAME.match(cleaned):
        return None
    words = cleaned.rstrip(".").split()
    if len(words) == 1:
        return words[0][:100], ""
    start = len(words)
    for _ in range(2 if language == "es" and len(words) >= 3 else 1):
        start -= 1  # one surname: a word and the particles before it
        while start > 1 and _joins_surname(words[start - 1]):
            start -= 1
        if start <= 1:
            break
    return " ".join(words[:start])[:100], " ".join(words[start:])[:100]


def _joins_surname(word: str) -> bool:
    """A particle or the Spanish "y" between two surnames belongs to the surname after it."""
    folded = word.casefold()
    return folded in SURNAME_PARTICLES or folded == SURNAME_JOINER
