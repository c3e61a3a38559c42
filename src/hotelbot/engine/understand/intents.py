"""The intents the engine acts on, and the exact rules that need no model.

Opt-out and opt-in are compliance words, so they are exact phrases (per language, compared
after normalisation), never a guess: "stop" must be the message, not a word in it ("the bus
stop"). "help" / "menu" typed alone is a command. Everything else is the learned classifier's
(`classifier.classify`).
"""

from __future__ import annotations

from enum import StrEnum

from hotelbot.engine.understand.text import has_phrase, normalise, normalise_all, tokens


class Intent(StrEnum):
    """Values match the evaluation format's intent names where they overlap."""

    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    FAQ = "faq"
    HANDOFF = "handoff"
    BOOK = "book"
    HELP = "help"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    UNKNOWN = "unknown"
    # From the offline classifier (issue 4): stay requests, complaints and dialogue acts.
    MODIFY_BOOKING = "modify_booking"
    CANCEL_BOOKING = "cancel_booking"
    BOOKING_STATUS = "booking_status"
    SERVICE_REQUEST = "service_request"
    COMPLAINT = "complaint"
    AFFIRM = "affirm"
    NEGATE = "negate"
    BOT_QUESTION = "bot_question"


def _phrases(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return normalise_all(p for group in groups for p in group)


#: The whole message must be one of these (ignoring case, accents and punctuation).
OPT_OUT_EXACT = _phrases(
    ("stop", "stop all", "stopall", "unsubscribe", "opt out", "optout", "stop messages"),
    ("baja", "darme de baja", "dar de baja", "darse de baja", "parar", "no mas mensajes"),
    ("stopp", "abmelden", "abbestellen", "austragen", "keine nachrichten mehr"),
    ("arret", "arreter", "desabonner", "desinscrire", "se desabonner", "plus de messages"),
    ("basta", "disiscrivi", "disiscriviti", "cancellami", "basta messaggi"),
    ("sair", "descadastrar", "cancelar subscricao", "cancelar inscricao", "nao quero mais"),
)
#: Unambiguous anywhere in a short message ("please unsubscribe me").
OPT_OUT_STRONG = _phrases(
    ("unsubscribe", "stop sending", "stop messaging me", "stop texting me", "opt out"),
    ("no more messages", "no more texts", "no more notifications"),
    ("darme de baja", "dame de baja", "dar de baja", "no me envien mas", "dejen de enviar"),
    ("no mas mensajes", "no quiero recibir mas mensajes"),
    ("abmelden", "abbestellen", "keine nachrichten mehr", "keine weiteren nachrichten"),
    ("desabonner", "desinscrire", "ne plus recevoir", "desabonnez moi", "desinscrivez moi"),
    ("plus de messages", "plus de notifications"),
    ("disiscrivi", "disiscriviti", "non inviatemi piu", "non voglio piu messaggi"),
    ("descadastrar", "cancelar subscricao", "nao quero receber mais", "parem de enviar"),
    # "Stop writing to me": the verb for writing plus "me", in each language.
    ("stop writing to me", "stop contacting me", "don't write to me again", "dont write to me"),
    ("dejad de escribirme", "dejen de escribirme", "deja de escribirme", "no me escribais mas"),
    ("schreiben sie mir nicht mehr", "schreibt mir nicht mehr", "schreib mir nicht mehr"),
    ("ne m ecrivez plus", "ne m ecris plus", "arretez de m ecrire", "arrete de m ecrire"),
    ("disiscrivimi", "non scrivetemi piu", "non scrivermi piu", "smettete di scrivermi"),
    ("parem de me escrever", "nao me escrevam mais", "deixem de me escrever"),
)
OPT_OUT_STRONG_MAX_WORDS = 8
#: "I don't want to receive more messages": a refusal and a word for our messages, both in a
#: short message. The noun is what makes it an opt-out: "no quiero cancelar" and "I don't want
#: more towels" refuse something else.
OPT_OUT_REFUSALS = _phrases(
    (
        "don't want", "dont want", "do not want", "don't send", "dont send", "do not send",
        "stop sending", "stop texting", "remove me", "take me off",
    ),
    (
        "no quiero recibir", "no quiero mas", "no deseo recibir", "no me envies", "no me envien",
        "no me mandes", "no me manden", "deja de enviar", "dejen de enviar", "dejad de enviar",
        "deja de mandar", "dejen de mandar", "deja de enviarme", "dejen de enviarme",
        "dejad de enviarme", "deja de mandarme", "dejen de mandarme", "borrame", "quitame",
    ),
    (
        "mochte keine", "will keine", "keine weiteren", "schickt mir keine",
        "schicken sie mir keine", "hort auf", "horen sie auf",
    ),
    (
        "ne veux plus", "ne veux pas recevoir", "ne plus recevoir", "ne m envoyez plus",
        "arretez d envoyer", "arretez de m envoyer", "arrete de m envoyer",
    ),
    (
        "non voglio piu", "non voglio ricevere", "non mandatemi", "non inviatemi",
        "smettete di inviare", "smettete di mandare", "smetti di mandare",
        "smettete di inviarmi", "smettete di mandarmi", "smettila di mandarmi", "basta con",
    ),
    (
        "nao quero receber", "nao quero mais", "nao me enviem", "nao me mandem", "parem de enviar",
        "parem de mandar", "parem de me enviar", "parem de me mandar", "deixem de enviar",
        "deixem de mandar", "deixem de me enviar",
    ),
)  # fmt: skip
OPT_OUT_MESSAGES = _phrases(
    ("messages", "message", "texts", "notifications", "whatsapps", "whatsapp messages"),
    ("mensajes", "mensaje", "notificaciones", "whatsapps"),
    ("nachrichten", "nachricht", "mitteilungen", "benachrichtigungen", "sms"),
    ("messages", "notifications", "sms"),
    ("messaggi", "messaggio", "notifiche"),
    ("mensagens", "mensagem", "notificacoes"),
)
OPT_OUT_REFUSAL_MAX_WORDS = 14
OPT_IN_EXACT = _phrases(("start", "unstop", "subscribe", "resume"), ("alta",), ("anmelden",))

HELP = _phrases(
    ("help", "menu", "options", "what can you do"),
    ("ayuda", "menu", "opciones"),
    ("hilfe", "menu", "optionen"),
    ("aide", "menu", "options"),
    ("aiuto", "menu", "opzioni"),
    ("ajuda", "menu", "opcoes"),
)


def classify_opt(text: str) -> Intent | None:
    """OPT_OUT / OPT_IN when the message is one of their phrases; otherwise None."""
    normalised = normalise(text)
    if normalised in OPT_OUT_EXACT:
        return Intent.OPT_OUT
    if len(tokens(normalised)) <= OPT_OUT_STRONG_MAX_WORDS and any(
        has_phrase(normalised, p) for p in OPT_OUT_STRONG
    ):
        return Intent.OPT_OUT
    if _refuses_our_messages(normalised):
        return Intent.OPT_OUT
    if normalised in OPT_IN_EXACT:
        return Intent.OPT_IN
    return None


def _refuses_our_messages(normalised: str) -> bool:
    if len(tokens(normalised)) > OPT_OUT_REFUSAL_MAX_WORDS:
        return False
    return any(has_phrase(normalised, p) for p in OPT_OUT_MESSAGES) and any(
        has_phrase(normalised, p) for p in OPT_OUT_REFUSALS
    )


def classify_exact(text: str) -> Intent | None:
    """OPT_OUT / OPT_IN / HELP when the message is one of their exact phrases; otherwise None."""
    if (opt := classify_opt(text)) is not None:
        return opt
    return Intent.HELP if normalise(text) in HELP else None
