"""Mask secrets a guest may type before text reaches a model, a prompt template or a stored
completion: payment card numbers (Luhn-valid), IBANs (ISO 13616 check digits), passwords,
one-time codes, CVVs and API keys.

Each is replaced by a bracketed label (`[card]`, `[iban]`, `[secret]`, `[code]`), so a model
still knows that something was said. Checksums keep booking references, prices, dates and
phone-length numbers out of the card and IBAN rules; passwords and codes are found only next to
a word that names them, in the six languages the bot speaks. Linear-time patterns only.

Card details are also masked where the guest typed them, before anything is stored
(`redact_card_details`, used by the inbox): a card number keeps its last four digits
("•••• •••• •••• 4242") so staff can tell which card was meant, security codes and expiry
dates are masked whole, and the kinds found are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


# ---- card details in stored guest text ------------------------------------------------------

#: What a masked card number looks like (the guest sees it too, e.g. in the console).
CARD_MASK = "•••• •••• •••• {last4}"
CODE_MASK = "•••"
EXPIRY_MASK = "••/••"

# A run of digit groups joined by single spaces or dashes, not glued to a "+" (a phone number
# in international form is never a card). Cards are looked for inside each run, by its groups.
_DIGIT_RUN = re.compile(r"(?<![\d+])\d+(?:[ -]\d+)*")
_SEPARATOR = re.compile(r"[ -]")
_MAX_GROUPS = 5
# Card schemes start with 2 (Mastercard), 3 (Amex, JCB, Diners), 4 (Visa), 5 (Mastercard,
# Maestro) or 6 (Discover, UnionPay, Maestro); 0, 1, 7, 8 and 9 are not issued to payment cards.
_ISSUED_FIRST_DIGITS = frozenset("23456")
# The words for "security code" in our six languages, then at most a few filler characters.
_SECURITY_CODE_WORDS = (
    r"cvv2?|cvc2?|cid|csc|security\s?code|card\s?code|c[oó]digo\s?de\s?seguridad|"
    r"c[oó]digo\s?de\s?seguran[cç]a|code\s?de\s?s[eé]curit[eé]|cryptogramme|"
    r"pr[uü]fnummer|kartenpr[uü]fnummer|sicherheitscode|codice\s?di\s?sicurezza|codice\s?cvv"
)
_SECURITY_CODE = re.compile(
    rf"(?<!\w)(?:{_SECURITY_CODE_WORDS})(?!\w)[^\w\n]{{0,3}}(?:is|es|est|ist|è|é|:)?[^\w\n]{{0,3}}"
    r"(?P<code>\d{3,4})(?!\d)",
    re.IGNORECASE,
)
_EXPIRY_WORDS = (
    r"exp|expiry|expires|expiration|valid\s?thru|valid\s?until|good\s?thru|vence|"
    r"vencimiento|caducidad|caduca|validade|v[aá]lido\s?at[eé]|expira|ablauf|"
    r"g[uü]ltig\s?bis|scadenza|scade|date\s?d'expiration|expire"
)
_DATE = r"(?P<expiry>(?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20)?\d{2})(?![\d/])"
_EXPIRY = re.compile(
    rf"(?<!\w)(?:{_EXPIRY_WORDS})(?!\w)[^\w\n]{{0,3}}(?:date)?[^\w\n]{{0,3}}{_DATE}",
    re.IGNORECASE,
)
# Right after a card number, a date and a 3-4 digit group are its expiry and code even
# without a keyword ("4111 1111 1111 1111 12/27 123").
_AFTER_CARD = re.compile(rf"[^\w\n]{{1,4}}{_DATE}(?:[^\w\n]{{1,4}}(?P<code>\d{{3,4}})(?!\d))?")
_MASKED_CARD = re.compile(r"•••• •••• •••• \d{4}")
_ANY_MASK = re.compile(r"•••• •••• •••• \d{4}|••/••|•••")


@dataclass(frozen=True)
class Redaction:
    text: str
    #: The kinds found: "card", "security_code", "expiry".
    found: frozenset[str] = frozenset()


def is_card_number(candidate: str) -> bool:
    digits = "".join(c for c in candidate if c.isdigit())
    return 13 <= len(digits) <= 19 and digits[0] in _ISSUED_FIRST_DIGITS and luhn_valid(digits)


def redact_card_details(text: str) -> Redaction:
    """Mask card numbers (keeping the last four digits), security codes and expiry dates."""
    found: set[str] = set()
    parts: list[str] = []
    position = 0
    for run in _DIGIT_RUN.finditer(text):
        if run.start() < position:
            continue  # already masked as the expiry or code after a card
        for start, end in _cards_in(run):
            found.add("card")
            digits = "".join(c for c in text[start:end] if c.isdigit())
            parts += [text[position:start], CARD_MASK.format(last4=digits[-4:])]
            position = end
            after = _AFTER_CARD.match(text, position)
            if after is not None:
                found |= {"expiry", "security_code"} if after.group("code") else {"expiry"}
                parts.append(_mask_groups(after, text))
                position = after.end()
    parts.append(text[position:])
    masked_text = "".join(parts)
    masked_text, codes = _SECURITY_CODE.subn(lambda m: _mask_groups(m, m.string), masked_text)
    masked_text, dates = _EXPIRY.subn(lambda m: _mask_groups(m, m.string), masked_text)
    found |= {"security_code"} if codes else set()
    found |= {"expiry"} if dates else set()
    return Redaction(masked_text, frozenset(found))


def _cards_in(run: re.Match[str]) -> list[tuple[int, int]]:
    """(start, end) of each card number among a run's digit groups, left to right.

    A card is written whole ("4111111111111111") or in groups of 3 to 6 digits ("4111 1111
    1111 1111", "3782-822463-10005"), so a window spans at most 5 groups and a group shorter
    than 3 digits starts none: the work is linear in the run, with a small constant.
    """
    # Separators are single characters, so offsets follow from the group lengths.
    groups: list[tuple[int, int]] = []
    offset = run.start()
    for group in _SEPARATOR.split(run.group(0)):
        groups.append((offset, offset + len(group)))
        offset += len(group) + 1
    cards: list[tuple[int, int]] = []
    index = 0
    while index < len(groups):
        found = _card_from(run.string, groups, index)
        if found is None:
            index += 1
            continue
        cards.append((groups[index][0], groups[found][1]))
        index = found + 1
    return cards


def _card_from(text: str, groups: list[tuple[int, int]], index: int) -> int | None:
    """The last group of the card that starts at group `index`, if one does."""
    if groups[index][1] - groups[index][0] < 3:
        return None
    digits = ""
    for last in range(index, min(index + _MAX_GROUPS, len(groups))):
        start, end = groups[last]
        if last > index and end - start < 3:
            return None
        digits += text[start:end]
        if len(digits) > 19:
            return None
        if len(digits) >= 13 and is_card_number(digits):
            return last
    return None


def _mask_groups(match: re.Match[str], text: str) -> str:
    """The match's text with its `code` and `expiry` groups masked."""
    out, position = [], match.start()
    for name, mask in (("expiry", EXPIRY_MASK), ("code", CODE_MASK)):
        if name in match.re.groupindex and match.group(name):
            out += [text[position : match.start(name)], mask]
            position = match.end(name)
    out.append(text[position : match.end()])
    return "".join(out)


def has_masked_card_details(text: str) -> bool:
    """True when the text holds what `redact_card_details` left in place of card details."""
    return bool(_MASKED_CARD.search(text)) or CODE_MASK in text or EXPIRY_MASK in text


def strip_masked_card_details(text: str) -> str:
    """The text with what `redact_card_details` put in place of card details removed."""
    return _ANY_MASK.sub(" ", text)
