"""Mask secrets a guest may type before text reaches a model, a prompt template or a stored
completion: payment card numbers (Luhn-valid), IBANs (ISO 13616 check digits), passwords,
one-time codes, CVVs and API keys.

Each is replaced by a bracketed label (`[card]`, `[iban]`, `[secret]`, `[code]`), so a model
still knows that something was said. Checksums keep booking references, prices, dates and
phone-length numbers out of the card and IBAN rules; passwords and codes are found only next to
a word that names them, in the six languages the bot speaks. Linear-time patterns only.
"""

from __future__ import annotations

import re

CARD = "[card]"
IBAN = "[iban]"
SECRET = "[secret]"  # noqa: S105 - a mask, not a password
CODE = "[code]"

# 13-19 digits, optionally grouped by single spaces or dashes.
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
# Country code in any case; the rest upper-case, so a following word never joins the match.
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# Words that name a password (not a password).
_PASSWORD_WORDS = "|".join(
    (
        "password", "passwd", "pwd", "passcode", "contrase(?:ñ|n)a", "clave", "passwort",
        "kennwort", "mot de passe", "mdp", "senha", "palavra[- ]passe", "parola d'ordine",
    )
)  # fmt: skip
# Possessive spaces: no backtracking over a long run of blanks.
_PASSWORD = re.compile(
    rf"(\b(?:{_PASSWORD_WORDS})\b[ \t]*+"
    r"(?:(?:(?:ist|est|is|es|è|é|e)\b|[:=-])[ \t]*+){0,2})(\S+)",
    re.IGNORECASE,
)
_CODE_WORDS = (
    r"otp|one[- ]time|verification code|security code|code|pin|cvv|cvc|c[oó]digo|codice|"
    r"bestätigungscode|sicherheitscode|einmalcode|tan"
)
_CODE = re.compile(
    rf"(\b(?:{_CODE_WORDS})\b[^\d\n]{{0,24}}?)(?<![\d-])(\d{{3,8}})(?![\d-])", re.IGNORECASE
)
_API_KEY = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}\b")


def redact(text: str) -> str:
    """`text` with every secret masked (idempotent: redacting twice changes nothing)."""
    if not text:
        return text
    text = _CARD.sub(_card, text)
    text = _IBAN.sub(_iban, text)
    text = _API_KEY.sub(SECRET, text)
    text = _PASSWORD.sub(
        lambda m: m.group(1) + SECRET if m.group(2) != SECRET else m.group(0), text
    )
    return _CODE.sub(lambda m: m.group(1) + CODE, text)


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return CARD if luhn_valid(digits) else match.group(0)


def _iban(match: re.Match[str]) -> str:
    compact = match.group(0).replace(" ", "").upper()
    return IBAN if iban_valid(compact) else match.group(0)


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return len(digits) >= 13 and total % 10 == 0


def iban_valid(compact: str) -> bool:
    if not (15 <= len(compact) <= 34) or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1
