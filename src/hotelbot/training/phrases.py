"""Guest-style training messages from the hand-written phrase banks (`eval/phrases/<lang>.txt`).

A bank holds messages per label (`[book]`, `[faq/parking]`, `[service_request/taxi]`) with
`{slot}` holes, and fillers per slot. `generate()` fills the holes and writes each message the
way guests type on WhatsApp (lower case, accents dropped, abbreviations, a typo, an emoji, a
greeting in front), seeded, so the same banks always give the same rows.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
_HOLE = re.compile(r"\{(\w+)\}")
#: Requests a guest often opens with a greeting or closes with "please"; small talk stays bare.
_REQUESTS = frozenset(
    {"book", "modify_booking", "cancel_booking", "booking_status", "faq", "service_request",
     "handoff", "complaint", "out_of_scope"}
)  # fmt: skip
_OPENERS = {
    "en": ("hi", "hello", "hey", "good morning", "hi there", "ok so"),
    "es": ("hola", "buenas", "buenos dias", "hola que tal", "oye"),
    "de": ("hallo", "hi", "guten tag", "moin", "servus"),
    "fr": ("bonjour", "salut", "bonsoir", "coucou"),
    "it": ("ciao", "buongiorno", "salve", "buonasera"),
    "pt": ("ola", "oi", "bom dia", "boa tarde"),
}
_CLOSERS = {
    "en": ("please", "pls", "thanks", "thx", "asap"),
    "es": ("por favor", "porfa", "gracias", "xfa"),
    "de": ("bitte", "danke", "bitte danke"),
    "fr": ("svp", "merci", "stp", "s il vous plait"),
    "it": ("per favore", "grazie", "x favore", "pf"),
    "pt": ("por favor", "obrigado", "pf", "obg"),
}
_SHORTHAND = {
    "en": {
        "you": "u",
        "are": "r",
        "please": "pls",
        "tomorrow": "tmrw",
        "nights": "nites",
        "what's": "whats",
        "i'd": "id",
        "for": "4",
        "to": "2",
        "thanks": "thx",
    },
    "es": {
        "que": "q",
        "por favor": "xfa",
        "porque": "xq",
        "fin de semana": "finde",
        "para": "pa",
        "mañana": "mñn",
        "también": "tb",
    },
    "de": {
        "nicht": "nich",
        "ich habe": "hab",
        "einen": "'nen",
        "habt ihr": "habt ihr",
        "ist": "is",
        "vielleicht": "vllt",
    },
    "fr": {
        "c'est": "c",
        "quelque chose": "qqch",
        "s'il vous plaît": "svp",
        "je suis": "chui",
        "rendez-vous": "rdv",
        "beaucoup": "bcp",
        "réservation": "résa",
    },
    "it": {"per": "x", "che": "ke", "comunque": "cmq", "perché": "xke", "non": "nn"},
    "pt": {"você": "vc", "para": "pra", "que": "q", "não": "n", "está": "ta", "também": "tb"},
}
_EMOJI = ("🙂", "🙏", "😊", "👍", "😅", "🤔", "❤️", "🏨")


@dataclass(frozen=True)
class Example:
    """One labelled training message."""

    text: str
    lang: str
    intent: str
    faq_topic: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class Bank:
    templates: dict[str, tuple[str, ...]]
    fillers: dict[str, tuple[str, ...]]


def read_bank(path: Path) -> Bank:
    templates: dict[str, list[str]] = {}
    fillers: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = templates.setdefault(line[1:-1], [])
        elif line.startswith("{") and line.endswith("}") and " " not in line:
            current = fillers.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return Bank(
        {k: tuple(v) for k, v in templates.items()}, {k: tuple(v) for k, v in fillers.items()}
    )


def _label(key: str) -> tuple[str, str | None, str | None]:
    intent, _, detail = key.partition("/")
    if intent == "faq":
        return intent, detail or None, None
    if intent == "service_request":
        return intent, None, detail or None
    return intent, None, None


def _fill(template: str, fillers: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    return _HOLE.sub(lambda m: rng.choice(fillers.get(m.group(1), ("",))), template)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _typo(text: str, rng: random.Random) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w, j = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.random()
    if kind < 0.4:
        w = w[:j] + w[j + 1 :]  # a letter dropped
    elif kind < 0.7:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]  # two letters swapped
    else:
        w = w[:j] + w[j] + w[j:]  # a letter doubled
    words[i] = w
    return " ".join(words)


def guest_style(text: str, lang: str, intent: str, rng: random.Random) -> str:
    """The same message as a guest might thumb it: each trait with its own chance."""
    if rng.random() < 0.8:
        text = text.lower()
    if rng.random() < 0.6:
        text = strip_accents(text)
    for long, short in _SHORTHAND[lang].items():
        if rng.random() < 0.35:
            text = re.sub(rf"(?<!\w){re.escape(long)}(?!\w)", short, text)
    if rng.random() < 0.5:
        text = text.rstrip("?.!")
    if rng.random() < 0.25:
        text = _typo(text, rng)
    if intent in _REQUESTS:
        if rng.random() < 0.2:
            text = f"{rng.choice(_OPENERS[lang])} {text}"
        if rng.random() < 0.15:
            text = f"{text} {rng.choice(_CLOSERS[lang])}"
    if rng.random() < 0.1:
        text = f"{text} {rng.choice(_EMOJI)}"
    if rng.random() < 0.1:
        text = text.replace(",", "")
    return " ".join(text.split())


def generate(bank: Bank, lang: str, *, per_template: int, seed: int) -> list[Example]:
    """`per_template` distinct renderings of every template (fewer when it has few holes).

    Each template has its own seeded generator, so adding a template leaves every other
    template's messages (and their cached vectors) as they were.
    """
    out: list[Example] = []
    for key in sorted(bank.templates):
        intent, topic, service = _label(key)
        for template in bank.templates[key]:
            rng = random.Random(f"{seed}-{lang}-{key}-{template}")
            seen: set[str] = set()
            for _ in range(per_template * 3):
                if len(seen) >= per_template:
                    break
                text = guest_style(_fill(template, bank.fillers, rng), lang, intent, rng)
                if text and text not in seen:
                    seen.add(text)
                    out.append(Example(text, lang, intent, topic, service))
    return out


def generate_all(root: Path, *, per_template: int = 4, seed: int = 9) -> list[Example]:
    return [
        ex
        for lang in LANGUAGES
        if (root / f"{lang}.txt").is_file()
        for ex in generate(
            read_bank(root / f"{lang}.txt"), lang, per_template=per_template, seed=seed
        )
    ]
