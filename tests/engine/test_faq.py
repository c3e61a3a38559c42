"""FAQ topics found from per-language synonyms, with accent and typo tolerance."""

from __future__ import annotations

import pytest

from hotelbot.engine.understand.faq import (
    KEYWORDS,
    TOPICS,
    FaqMatcher,
    KeywordFaqMatcher,
    default_faq_matcher,
)
from hotelbot.engine.understand.language import SUPPORTED

QUESTIONS = [
    ("what time is breakfast?", "breakfast"), ("¿a qué hora es el desayuno?", "breakfast"),
    ("Wann gibt es Frühstück?", "breakfast"), ("WANN GIBT ES FRUEHSTUECK", "breakfast"),
    ("à quelle heure est le petit déjeuner ?", "breakfast"),
    ("a che ora è la colazione?", "breakfast"), ("a que horas é o pequeno-almoço?", "breakfast"),
    ("breakfst time?", "breakfast"), ("desayno incluido?", "breakfast"),
    ("when can I check in?", "checkin_time"), ("hora de entrada?", "checkin_time"),
    ("what time is checkout", "checkout_time"),
    ("um wie viel Uhr ist die Abreise?", "checkout_time"),
    ("do you have parking?", "parking"), ("hay aparcamiento?", "parking"),
    ("gibt es einen Parkplatz?", "parking"), ("où se garer ?", "parking"),
    ("c'è il parcheggio?", "parking"), ("têm estacionamento?", "parking"),
    ("can I bring my dog?", "pets"), ("¿se admiten mascotas?", "pets"), ("Hund erlaubt?", "pets"),
    ("what's the wifi password", "wifi"), ("WLAN Passwort?", "wifi"),
    ("is there a swimming pool", "pool"), ("hay piscina?", "pool"), ("piscine ?", "pool"),
    ("is there a gym?", "gym"), ("c'è una palestra?", "gym"), ("tem ginásio?", "gym"),
    ("what is your address", "location"), ("¿cómo llegar al hotel?", "location"),
    ("wo liegt das Hotel?", "location"), ("dove si trova l'hotel?", "location"),
    ("what is the cancellation policy?", "cancellation_policy"),
    ("politique d'annulation ?", "cancellation_policy"),
    ("can I pay by credit card?", "payment"), ("aceptáis tarjeta?", "payment"),
    ("is the hotel wheelchair accessible?", "accessibility"), ("barrierefrei?", "accessibility"),
    ("do you offer an airport transfer?", "airport"), ("navette pour l'aéroport ?", "airport"),
]  # fmt: skip


@pytest.mark.parametrize(("question", "topic"), QUESTIONS)
def test_question_matches_topic(question: str, topic: str) -> None:
    matches = KeywordFaqMatcher().match(question, language="en")
    assert matches and matches[0].topic == topic


@pytest.mark.parametrize(
    "text", ["I would like to book a room", "hello", "my shower is broken", "", "   "]
)
def test_no_topic_for_what_is_not_a_question_about_the_hotel(text: str) -> None:
    assert KeywordFaqMatcher().match(text, language="en") == []


def test_every_topic_has_synonyms_in_every_language() -> None:
    assert set(KEYWORDS) == set(TOPICS)
    for by_language in KEYWORDS.values():
        assert set(by_language) == set(SUPPORTED)
        assert all(phrases for phrases in by_language.values())


def test_the_default_matcher_satisfies_the_protocol() -> None:
    matcher: FaqMatcher = default_faq_matcher()
    assert matcher.match("pool?", language="en")[0].topic == "pool"
