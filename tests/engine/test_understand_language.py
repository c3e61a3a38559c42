"""Language detection: short greetings by lexicon, sentences by lingua, fallbacks for the rest."""

from __future__ import annotations

import pytest

from hotelbot.engine.understand.language import detect_language

SHORT = [
    ("hola", "es"), ("gracias!", "es"), ("buenas tardes", "es"), ("adiós", "es"),
    ("guten Tag", "de"), ("danke", "de"), ("Vielen Dank", "de"), ("tschüss", "de"),
    ("bonjour", "fr"), ("merci beaucoup", "fr"), ("bonsoir", "fr"), ("salut", "fr"),
    ("ciao", "it"), ("grazie mille", "it"), ("buongiorno", "it"), ("arrivederci", "it"),
    ("olá", "pt"), ("obrigado", "pt"), ("bom dia", "pt"), ("obrigada!", "pt"),
    ("hello", "en"), ("thanks", "en"), ("good morning", "en"), ("hi", "en"),
]  # fmt: skip

SENTENCES = [
    ("what time is breakfast?", "en"),
    ("¿a qué hora es el desayuno?", "es"),
    ("Wann gibt es Frühstück?", "de"),
    ("À quelle heure est le petit-déjeuner ?", "fr"),
    ("A che ora è la colazione?", "it"),
    ("A que horas é o pequeno-almoço?", "pt"),
    ("Is there parking near the hotel for a small car?", "en"),
    ("Necesito una habitación doble para el fin de semana", "es"),
]


@pytest.mark.parametrize(("text", "expected"), SHORT)
def test_short_messages_are_detected_by_the_lexicon(text: str, expected: str) -> None:
    guess = detect_language(text)
    assert (guess.language, guess.source) == (expected, "lexicon")


@pytest.mark.parametrize(("text", "expected"), SENTENCES)
def test_sentences_are_detected(text: str, expected: str) -> None:
    assert detect_language(text).language == expected


@pytest.mark.parametrize("text", ["ok", "👍", "WiFi?", "10", "", "STOP"])
def test_language_neutral_text_keeps_the_guests_known_language(text: str) -> None:
    guess = detect_language(text, known="it", default="en")
    assert (guess.language, guess.source) == ("it", "fallback")


def test_language_neutral_text_from_a_new_guest_gets_the_property_default() -> None:
    assert detect_language("ok", known=None, default="pt").language == "pt"


def test_a_language_the_property_does_not_offer_falls_back_to_its_default() -> None:
    guess = detect_language("Wann gibt es Frühstück?", allowed=("en", "es"), default="es")
    assert guess.language == "es"


def test_a_word_shared_by_two_languages_follows_the_known_one() -> None:
    # "ajuda"/"ayuda" differ, but "menu" and "super" are everyone's: the known language wins.
    assert detect_language("menu", known="fr", default="en").language == "fr"
