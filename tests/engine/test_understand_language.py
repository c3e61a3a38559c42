"""Language detection: short greetings by lexicon, sentences by lingua, fallbacks for the rest."""

from __future__ import annotations

import pytest

from hotelbot.engine.understand.language import SUPPORTED, detect_language

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


#: Questions built around hotel words every language borrows from English.
LOANWORD_QUESTIONS = [
    ("¿A qué hora es el check-in?", "es"), ("¿Tenéis parking?", "es"),
    ("¿Hay wifi en la habitación?", "es"), ("¿Cuál es la contraseña del wifi?", "es"),
    ("¿Puedo pedir room service?", "es"), ("¿Tenéis spa o gym?", "es"),
    ("Necesito un taxi mañana", "es"), ("¿Se puede hacer late check-out?", "es"),
    ("C'è una palestra in hotel?", "it"), ("A che ora è il check-out?", "it"),
    ("Avete il parking?", "it"), ("Qual è la password del wifi?", "it"),
    ("C'è il room service?", "it"), ("Posso prenotare un taxi per domani?", "it"),
    ("Olá, qual é a password do wifi?", "pt"), ("Têm parking?", "pt"),
    ("A que horas é o check-in?", "pt"), ("O hotel tem spa?", "pt"),
    ("Vocês fazem transfer para o aeroporto?", "pt"), ("Há room service à noite?", "pt"),
    ("Gibt es einen Parkplatz oder Parking?", "de"), ("Wann ist der Check-in?", "de"),
    ("Ist das WLAN-Passwort im Zimmer?", "de"), ("Habt ihr ein Spa?", "de"),
    ("Können Sie mir ein Taxi bestellen?", "de"),
    ("À quelle heure est le check-in ?", "fr"), ("Vous avez un parking ?", "fr"),
    ("C'est quoi le password du wifi ?", "fr"), ("Est-ce qu'il y a un spa à l'hôtel ?", "fr"),
    ("Je voudrais un taxi pour demain", "fr"),
    ("What time is check-in?", "en"), ("Do you have parking?", "en"),
    ("Is there a gym in the hotel?", "en"), ("What's the wifi password?", "en"),
    ("Can I get a late check-out?", "en"), ("Is room service available?", "en"),
    ("Can you book me a taxi to the airport?", "en"), ("Is the spa open?", "en"),
]  # fmt: skip


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


@pytest.mark.parametrize(("text", "expected"), LOANWORD_QUESTIONS)
def test_hotel_loanwords_do_not_make_a_question_english(text: str, expected: str) -> None:
    # A new guest at a hotel whose default is English (the case that answered in English).
    assert detect_language(text, known=None, default="en").language == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¿Tenéis parking?", "es"), ("¿A qué hora es el check-in?", "es"),
        ("C'è una palestra in hotel?", "it"), ("Olá, qual é a password do wifi?", "pt"),
        ("Wann ist der Check-in?", "de"), ("Vous avez un parking ?", "fr"),
    ],
)  # fmt: skip
def test_distinctive_marks_outweigh_a_different_known_language(text: str, expected: str) -> None:
    other = "es" if expected == "en" else "en"
    assert detect_language(text, known=other).language == expected
    assert detect_language("What time is check-in?", known="pt").language == "en"


@pytest.mark.parametrize(("text", "known"), [("O hotel tem spa?", "pt"), ("Wi-Fi?", "de")])
def test_weak_evidence_keeps_the_guests_known_language(text: str, known: str) -> None:
    assert detect_language(text, known=known).language == known
    # A single function word is not enough to move a guest we know to another language.
    assert detect_language("tem?", known="fr").language == "fr"


@pytest.mark.parametrize("text", ["check-in", "Late check-out?", "room service", "wifi password"])
def test_a_message_of_loanwords_only_keeps_the_known_language(text: str) -> None:
    guess = detect_language(text, known="it", default="en")
    assert (guess.language, guess.source) == ("it", "fallback")


# ---- the prior from a new guest's number (`likely`) -------------------------------------------


@pytest.mark.parametrize(
    ("text", "likely"),
    [("si", "it"), ("si", "es"), ("Sì", "it"), ("ok", "pt"), ("STOP", "de"), ("👍", "fr")],
)
def test_a_new_guests_neutral_message_follows_their_number(text: str, likely: str) -> None:
    guess = detect_language(text, known=None, likely=likely, default="en")
    assert guess.language == likely


@pytest.mark.parametrize("likely", ["de", "it"])
def test_the_number_breaks_a_tie_between_two_languages_the_text_names(likely: str) -> None:
    # "bis dann" is German and "ciao" Italian; without a number the property's default answers.
    assert detect_language("bis dann, ciao", known=None, likely=likely).language == likely
    assert detect_language("bis dann, ciao", known=None, default="fr").language == "fr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Good morning", "en"), ("Hola, quiero reservar", "es"), ("grazie", "it"),
        ("sí", "es"), ("Wann gibt es Frühstück?", "de"), ("¿Tenéis parking?", "es"),
    ],
)  # fmt: skip
def test_the_number_never_outweighs_what_the_text_says(text: str, expected: str) -> None:
    for likely in SUPPORTED:
        assert detect_language(text, known=None, likely=likely).language == expected


@pytest.mark.parametrize("text", ["ok", "si", "STOP", "menu", "bis dann, ciao"])
def test_the_number_never_outweighs_the_guests_known_language(text: str) -> None:
    assert detect_language(text, known="de", likely="es", default="en").language == "de"


def test_a_likely_language_the_property_does_not_offer_is_ignored() -> None:
    guess = detect_language("ok", allowed=("en", "es"), known=None, likely="it", default="es")
    assert guess.language == "es"
    # A guest whose known language the hotel dropped gets the likely one if it is offered.
    assert detect_language("ok", allowed=("en", "es"), known="it", likely="en").language == "en"


@pytest.mark.parametrize(
    "text",
    [
        # Booking references a detector once read as German (random letters of the built-in PMS).
        "DEM-3FRFMY4T Smith",
        "DEM-EMKNVE9M Smith",
        "dem-fephpvkr Okafor",
        "HB0042X",
        "ana.schmidt@beispiel.de",
        "https://www.hotel-beispiel.de/buchung",
    ],
)
def test_codes_addresses_and_links_keep_the_guests_known_language(text: str) -> None:
    assert detect_language(text, known="en", default="pt").language == "en"


def test_a_sentence_around_a_reference_is_still_read() -> None:
    text = "Hola, quiero cancelar la reserva DEM-3FRFMY4T a nombre de García"
    assert detect_language(text, known="en").language == "es"
