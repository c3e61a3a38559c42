"""Secrets a guest types are masked; booking facts are not."""

from __future__ import annotations

import time

import pytest

from hotelbot.kit.redact import redact


@pytest.mark.parametrize(
    ("text", "secret", "mask"),
    [
        ("my card is 4111 1111 1111 1111 exp 12/27", "4111 1111 1111 1111", "[card]"),
        ("tarjeta 5500-0000-0000-0004 por favor", "5500-0000-0000-0004", "[card]"),
        ("Karte 378282246310005", "378282246310005", "[card]"),
        ("IBAN ES91 2100 0418 4502 0005 1332 thanks", "ES91 2100 0418 4502 0005 1332", "[iban]"),
        ("iban: gb82WEST12345698765432", "gb82WEST12345698765432", "[iban]"),
        ("virement DE89370400440532013000", "DE89370400440532013000", "[iban]"),
        ("mi contraseña es Hunter2!", "Hunter2!", "[secret]"),
        ("Mein Passwort ist geheim123", "geheim123", "[secret]"),
        ("mot de passe: azerty42", "azerty42", "[secret]"),
        ("la password è ciao99", "ciao99", "[secret]"),
        ("a senha é minhasenha1", "minhasenha1", "[secret]"),
        ("the code is 482913", "482913", "[code]"),
        ("código de verificación: 5521", "5521", "[code]"),
        ("il codice è 771203", "771203", "[code]"),
        ("CVV 123", "123", "[code]"),
        ("key sk-abcdefghijklmnopqrstuv", "sk-abcdefghijklmnopqrstuv", "[secret]"),
    ],
)
def test_a_secret_is_masked(text: str, secret: str, mask: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert mask in redacted
    assert redact(redacted) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "Booking DEM-AB12CD34 costs 345.00 EUR from 12/03/2027 to 15/03/2027",
        "room 204 for 2 adults and 1 child",
        "4111 1111 1111 1112 is not a valid card",
        "ES00 1234 5678 9012 3456 7890 fails the check digits",
        "call me on +34 600 000 001",
    ],
)
def test_booking_facts_are_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    ["password" + " " * 200_000, "1" * 200_000, "code " + "x" * 200_000, "ES12 " * 40_000],
)
def test_adversarial_input_stays_linear(text: str) -> None:
    started = time.process_time()
    redact(text)
    # Generous: a quadratic pattern takes minutes on these sizes.
    assert time.process_time() - started < 5
