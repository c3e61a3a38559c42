"""The offline classifier: intents in six languages, typos, and what is not ours to act on."""

from __future__ import annotations

import pytest

from hotelbot.engine.understand.classifier import classify, detect_acts

CASES = [
    ("en", "do you have a double room for 2 nights from the 14th?", "book", None, None),
    ("es", "a q hora cierra el desayuno??", "faq", "breakfast", None),
    ("de", "Könnten Sie bitte ein Taxi zum Bahnhof bestellen?", "service_request", None, "taxi"),
    ("fr", "je voudrais annuler ma réservation QX4T9M", "cancel_booking", None, None),
    ("it", "mi passi un operatore per favore", "handoff", None, None),
    ("pt", "qual o melhor voo para Lisboa amanhã?", "out_of_scope", None, None),
    ("en", "my hotel in Rome last year was awful", "out_of_scope", None, None),
    ("en", "STOP", "opt_out", None, None),
    ("en", "are you a robot?", "bot_question", None, None),
    ("es", "el aire acondicionado no funciona", "service_request", None, "maintenance"),
    ("de", "Sind Hunde erlaubt?", "faq", "pets", None),
    ("fr", "quelle est votre politique d'annulation ?", "faq", "cancellation_policy", None),
    ("it", "vorrei cambiare le date della mia prenotazione", "modify_booking", None, None),
    ("pt", "muito obrigado!", "thanks", None, None),
    ("en", "breakfst time?", "faq", "breakfast", None),
    ("en", "how do i find the area of a circle", "out_of_scope", None, None),
    ("es", "hola", "greeting", None, None),
    ("de", "ja, genau", "affirm", None, None),
]


@pytest.mark.parametrize(("language", "text", "intent", "topic", "service"), CASES)
def test_classify(
    language: str, text: str, intent: str, topic: str | None, service: str | None
) -> None:
    result = classify(text, language=language)
    assert (result.intent, result.faq_topic, result.service) == (intent, topic, service)
    assert 0.0 < result.confidence <= 1.0


def test_a_message_carries_several_acts() -> None:
    assert detect_acts("No, that's all. Thank you") == {"negate", "thanks", "goodbye"}
