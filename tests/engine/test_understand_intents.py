"""The first rule set: opt-out, handoff, FAQ, small talk, booking, else unknown — six languages."""

from __future__ import annotations

import pytest

from hotelbot.engine.understand import classify_text
from hotelbot.engine.understand.faq import KeywordFaqMatcher
from hotelbot.engine.understand.intents import Intent

CASES = [
    # opt-out
    ("STOP", Intent.OPT_OUT), ("stop", Intent.OPT_OUT), ("Unsubscribe", Intent.OPT_OUT),
    ("please unsubscribe me", Intent.OPT_OUT), ("baja", Intent.OPT_OUT),
    ("quiero darme de baja", Intent.OPT_OUT), ("abmelden", Intent.OPT_OUT),
    ("STOPP", Intent.OPT_OUT), ("désabonner", Intent.OPT_OUT), ("arrêter", Intent.OPT_OUT),
    ("disiscrivimi per favore, disiscriviti", Intent.OPT_OUT), ("basta", Intent.OPT_OUT),
    ("sair", Intent.OPT_OUT), ("descadastrar", Intent.OPT_OUT),
    ("START", Intent.OPT_IN),
    # handoff
    ("can I talk to a human?", Intent.HANDOFF), ("quiero hablar con una persona", Intent.HANDOFF),
    ("Ich möchte mit einem Mitarbeiter sprechen", Intent.HANDOFF),
    ("je voudrais parler à un conseiller", Intent.HANDOFF),
    ("mi passi un operatore per favore", Intent.HANDOFF),
    ("quero falar com um atendente", Intent.HANDOFF),
    # faq
    ("what time is breakfast?", Intent.FAQ), ("¿tenéis parking?", Intent.FAQ),
    ("Gibt es WLAN?", Intent.FAQ), ("les chiens sont acceptés ?", Intent.FAQ),
    ("c'è una piscina?", Intent.FAQ), ("onde fica o hotel?", Intent.FAQ),
    # booking (handed to staff until the booking flow exists)
    ("I'd like to book a room", Intent.BOOK), ("quisiera reservar una habitación", Intent.BOOK),
    ("Ich möchte ein Zimmer buchen", Intent.BOOK),
    # small talk
    ("hello", Intent.GREETING), ("Hola!", Intent.GREETING), ("guten Tag", Intent.GREETING),
    ("bonjour", Intent.GREETING), ("ciao", Intent.GREETING), ("olá", Intent.GREETING),
    ("hi there", Intent.GREETING), ("thanks!", Intent.THANKS), ("muchas gracias", Intent.THANKS),
    ("danke schön", Intent.THANKS), ("merci beaucoup", Intent.THANKS),
    ("grazie mille", Intent.THANKS), ("obrigado", Intent.THANKS), ("ok thanks", Intent.THANKS),
    ("bye", Intent.GOODBYE), ("adiós", Intent.GOODBYE), ("auf Wiedersehen", Intent.GOODBYE),
    ("au revoir", Intent.GOODBYE), ("arrivederci", Intent.GOODBYE), ("tchau", Intent.GOODBYE),
    ("help", Intent.HELP), ("ayuda", Intent.HELP),
    # unknown
    ("my shower is broken", Intent.SERVICE_REQUEST),
    ("hello, my shower is broken", Intent.SERVICE_REQUEST),
    ("is the bus stop far from the museum of art", Intent.UNKNOWN),
    ("qual è la capitale della Francia", Intent.UNKNOWN),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_intent(text: str, expected: Intent) -> None:
    intent, confidence, _ = classify_text(text, KeywordFaqMatcher(), "en")
    assert intent is expected
    assert (confidence > 0) == (expected is not Intent.UNKNOWN)


def test_stop_inside_a_longer_sentence_is_not_an_opt_out() -> None:
    intent, _, _ = classify_text("where is the nearest bus stop?", KeywordFaqMatcher(), "en")
    assert intent is not Intent.OPT_OUT


def test_a_faq_question_returns_its_topics() -> None:
    intent, _, topics = classify_text("breakfast and parking?", KeywordFaqMatcher(), "en")
    assert intent is Intent.FAQ
    assert set(topics) == {"breakfast", "parking"}


#: "I don't want your messages any more", as guests write it in each language.
OPT_OUT_SENTENCES = [
    "I don't want to receive more messages", "I do not want any more messages from you",
    "stop sending me messages", "please stop texting me", "unsubscribe me please",
    "No quiero recibir más mensajes", "no me envíen más mensajes por favor",
    "dejen de enviarme mensajes",
    "Ich möchte keine Nachrichten mehr erhalten", "Bitte schicken Sie mir keine Nachrichten mehr",
    "Je ne veux plus recevoir de messages", "Arrêtez de m'envoyer des messages",
    "désabonnez-moi s'il vous plaît",
    "Non voglio più ricevere messaggi", "Smettete di inviarmi messaggi",
    "Não quero receber mais mensagens", "Parem de me enviar mensagens",
]  # fmt: skip
#: Refusals of something else, or messages about messages: never an opt-out.
NOT_OPT_OUT = [
    "no quiero cancelar", "I don't want more towels", "I don't want to cancel my booking",
    "no quiero más toallas", "did you get my message?", "I sent you a message yesterday",
    "can you send me a message when the room is ready?", "Ich möchte keine Handtücher mehr",
    "keine Nachricht von der Rezeption erhalten, ist mein Zimmer bereit?",
    "je ne veux plus de serviettes", "plus de serviettes svp, et un message pour le taxi",
    "non voglio più il letto singolo", "basta così, grazie", "não quero mais toalhas",
    "no more towels please, I left a message",
]  # fmt: skip


@pytest.mark.parametrize("text", OPT_OUT_SENTENCES)
def test_asking_for_no_more_messages_is_an_opt_out(text: str) -> None:
    intent, confidence, _ = classify_text(text, KeywordFaqMatcher(), "en")
    assert (intent, confidence) == (Intent.OPT_OUT, 1.0)


@pytest.mark.parametrize("text", NOT_OPT_OUT)
def test_refusing_something_else_is_not_an_opt_out(text: str) -> None:
    intent, _, _ = classify_text(text, KeywordFaqMatcher(), "en")
    assert intent is not Intent.OPT_OUT
