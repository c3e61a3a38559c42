"""Card details are masked before storage wherever a guest types them; nothing else is."""

from __future__ import annotations

import pytest

from hotelbot.kit.redact import (
    has_masked_card_details,
    luhn_valid,
    redact_card_details,
    strip_masked_card_details,
)

MASKED = [
    ("my card is 4111 1111 1111 1111", "my card is •••• •••• •••• 1111", {"card"}),
    ("4111-1111-1111-1111", "•••• •••• •••• 1111", {"card"}),
    ("4111111111111111 please", "•••• •••• •••• 1111 please", {"card"}),
    ("amex 3782 822463 10005", "amex •••• •••• •••• 0005", {"card"}),
    ("mastercard 5500 0000 0000 0004.", "mastercard •••• •••• •••• 0004.", {"card"}),
    (
        "4111 1111 1111 1111 12/27 123",
        "•••• •••• •••• 1111 ••/•• •••",
        {"card", "expiry", "security_code"},
    ),
    (
        "tarjeta 5500 0000 0000 0004, caducidad 03/28, código de seguridad: 456",
        "tarjeta •••• •••• •••• 0004, caducidad ••/••, código de seguridad: •••",
        {"card", "expiry", "security_code"},
    ),
    ("Karte 4111111111111111 gültig bis 09/2029", "Karte •••• •••• •••• 1111 gültig bis ••/••",
     {"card", "expiry"}),
    ("the cvv is 987", "the cvv is •••", {"security_code"}),
    ("cryptogramme 321", "cryptogramme •••", {"security_code"}),
    ("scadenza 11/26", "scadenza ••/••", {"expiry"}),
    ("two cards: 4111 1111 1111 1111 and 5500-0000-0000-0004",
     "two cards: •••• •••• •••• 1111 and •••• •••• •••• 0004", {"card"}),
]  # fmt: skip

KEPT = [
    "call me on +34 600 000 001",
    "+44 7700 900123 4567 8",  # a long phone number in international form
    "room 204 for 2 adults, 3 nights from 12/05",
    "booking reference DEM-3FRFMY4T",
    "order 12345678901234",  # 14 digits, not a valid card number
    "4111 1111 1111 1112",  # fails the Luhn check
    "1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
    "my code is 123",  # no card word: a door code, a PIN for the locker
    "0000 0000 0000 0000",  # Luhn-valid, but no card starts with 0
]


@pytest.mark.parametrize(("typed", "stored", "kinds"), MASKED)
def test_card_details_are_masked_keeping_the_last_four_digits(
    typed: str, stored: str, kinds: set[str]
) -> None:
    redaction = redact_card_details(typed)
    assert redaction.text == stored
    assert redaction.found == kinds
    assert has_masked_card_details(redaction.text)


@pytest.mark.parametrize("typed", KEPT)
def test_other_numbers_are_left_alone(typed: str) -> None:
    redaction = redact_card_details(typed)
    assert (redaction.text, redaction.found) == (typed, frozenset())
    assert not has_masked_card_details(typed)


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")


def test_what_is_left_without_the_masks_is_the_guests_words() -> None:
    masked = redact_card_details("pago con 4111 1111 1111 1111 cvv 123").text
    assert strip_masked_card_details(masked).split() == ["pago", "con", "cvv"]
