"""FAQ topics, the `FaqMatcher` seam every matcher implements, and the keyword matcher.

`KeywordFaqMatcher` compares per-language synonyms after accent/case normalisation, with a typo
allowance for longer words: instant, but blind to paraphrase ("where can I leave the car").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from hotelbot.engine.understand.text import best_phrase_score, normalise, normalise_all

TOPICS: tuple[str, ...] = (
    "checkin_time", "checkout_time", "breakfast", "parking", "pets", "wifi", "pool", "gym",
    "location", "cancellation_policy", "payment", "accessibility", "airport",
)  # fmt: skip

#: Lowest score a matcher returns; below it a topic is not a match.
MIN_SCORE = 0.75


@dataclass(frozen=True)
class FaqMatch:
    topic: str
    score: float


class FaqMatcher(Protocol):
    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        """Topics the question is about, best first, each scoring at least MIN_SCORE.

        Synchronous on purpose: matchers run in-process (keywords, a local embedding model).
        """
        ...


#: topic → language → phrases (any case/accents; normalised at import).
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "checkin_time": {
        "en": ("check in", "checkin", "check-in time", "arrival time", "early check in"),
        "es": ("hora de entrada", "hora de llegada", "registro de entrada", "hacer el check in"),
        "de": ("einchecken", "check in zeit", "anreisezeit", "anreise"),
        "fr": ("heure d arrivee", "enregistrement", "arrivee"),
        "it": ("orario di arrivo", "ora del check in", "arrivo"),
        "pt": ("hora de entrada", "hora de chegada", "chegada", "fazer o check in"),
    },
    "checkout_time": {
        "en": ("check out", "checkout", "check-out time", "departure time", "late checkout"),
        "es": ("hora de salida", "dejar la habitacion", "hacer el check out"),
        "de": ("auschecken", "check out zeit", "abreisezeit", "abreise"),
        "fr": ("heure de depart", "liberer la chambre", "depart"),
        "it": ("orario di partenza", "lasciare la camera", "partenza"),
        "pt": ("hora de saida", "deixar o quarto", "fazer o check out"),
    },
    "breakfast": {
        "en": ("breakfast", "brekfast"),
        "es": ("desayuno", "desayunar"),
        "de": ("fruhstuck", "fruehstueck", "fruhstucken"),
        "fr": ("petit dejeuner", "petit dej", "dejeuner du matin"),
        "it": ("colazione",),
        "pt": ("pequeno almoco", "cafe da manha", "pequeno-almoço"),
    },
    "parking": {
        "en": ("parking", "car park", "park", "garage"),
        "es": ("aparcamiento", "aparcar", "estacionamiento", "parking", "garaje"),
        "de": ("parkplatz", "parken", "tiefgarage", "parkhaus"),
        "fr": ("parking", "stationnement", "garer", "me garer", "garer la voiture"),
        "it": ("parcheggio", "parcheggiare", "garage"),
        "pt": ("estacionamento", "estacionar", "parque de estacionamento", "garagem"),
    },
    "pets": {
        "en": ("pets", "pet", "dog", "dogs", "cat", "cats", "pet friendly"),
        "es": ("mascota", "mascotas", "perro", "perros", "gato", "gatos"),
        "de": ("haustier", "haustiere", "hund", "hunde", "katze", "katzen"),
        "fr": ("animaux", "animal", "chien", "chiens", "chats"),
        "it": ("animali", "animale", "cane", "cani", "gatto", "gatti"),
        "pt": ("animais", "animal de estimacao", "cao", "caes", "cachorro", "gato"),
    },
    "wifi": {
        "en": ("wifi", "wi fi", "internet", "wifi password", "wireless"),
        "es": ("wifi", "internet", "contrasena del wifi", "clave del wifi"),
        "de": ("wlan", "wifi", "internet", "wlan passwort"),
        "fr": ("wifi", "internet", "mot de passe wifi"),
        "it": ("wifi", "internet", "password del wifi"),
        "pt": ("wifi", "internet", "senha do wifi", "palavra passe do wifi"),
    },
    "pool": {
        "en": ("pool", "swimming pool", "swim", "swimming"),
        "es": ("piscina", "nadar", "alberca"),
        "de": ("pool", "schwimmbad", "schwimmen", "swimmingpool"),
        "fr": ("piscine", "nager", "baignade"),
        "it": ("piscina", "nuotare"),
        "pt": ("piscina", "nadar"),
    },
    "gym": {
        "en": ("gym", "fitness", "fitness centre", "fitness center", "workout"),
        "es": ("gimnasio", "gym", "fitness"),
        "de": ("fitnessstudio", "fitnessraum", "fitness", "gym"),
        "fr": ("salle de sport", "salle de fitness", "fitness", "musculation"),
        "it": ("palestra", "fitness"),
        "pt": ("ginasio", "academia", "fitness"),
    },
    "location": {
        "en": (
            "address",
            "where are you",
            "where is the hotel",
            "located",
            "location",
            "directions",
            "how do i get",
            "how to get",
            "map",
        ),
        "es": (
            "direccion",
            "donde estan",
            "donde esta el hotel",
            "ubicacion",
            "como llegar",
            "ubicados",
        ),
        "de": (
            "adresse",
            "wo sind sie",
            "wo ist das hotel",
            "wo liegt",
            "anfahrt",
            "lage",
            "wie komme ich",
        ),
        "fr": (
            "adresse",
            "ou etes vous",
            "ou est l hotel",
            "situe",
            "comment venir",
            "itineraire",
            "comment aller",
        ),
        "it": (
            "indirizzo",
            "dove siete",
            "dove si trova",
            "come arrivare",
            "posizione",
            "indicazioni",
        ),
        "pt": ("morada", "endereco", "onde ficam", "onde fica", "localizacao", "como chegar"),
    },
    "cancellation_policy": {
        "en": (
            "cancellation",
            "cancellation policy",
            "free cancellation",
            "refund",
            "cancellation fee",
        ),
        "es": ("cancelacion", "politica de cancelacion", "reembolso", "cancelacion gratuita"),
        "de": (
            "stornierung",
            "stornobedingungen",
            "storno",
            "kostenlos stornieren",
            "ruckerstattung",
        ),
        "fr": ("annulation", "conditions d annulation", "remboursement", "annulation gratuite"),
        "it": ("cancellazione", "disdetta", "rimborso", "politica di cancellazione"),
        "pt": ("cancelamento", "politica de cancelamento", "reembolso"),
    },
    "payment": {
        "en": ("payment", "pay", "credit card", "cash", "debit card", "pay by card"),
        "es": ("pago", "pagar", "tarjeta", "tarjeta de credito", "efectivo"),
        "de": ("zahlung", "bezahlen", "zahlen", "kreditkarte", "bargeld", "ec karte"),
        "fr": ("paiement", "payer", "carte bancaire", "carte de credit", "especes"),
        "it": ("pagamento", "pagare", "carta di credito", "contanti", "bancomat"),
        "pt": ("pagamento", "pagar", "cartao", "cartao de credito", "dinheiro", "multibanco"),
    },
    "accessibility": {
        "en": (
            "wheelchair",
            "accessible",
            "accessibility",
            "disabled",
            "step free",
            "reduced mobility",
            "lift",
            "elevator",
        ),
        "es": ("silla de ruedas", "accesible", "accesibilidad", "movilidad reducida", "ascensor"),
        "de": ("rollstuhl", "barrierefrei", "barrierefreiheit", "aufzug", "behindert"),
        "fr": (
            "fauteuil roulant",
            "accessible",
            "accessibilite",
            "mobilite reduite",
            "pmr",
            "ascenseur",
        ),
        "it": ("sedia a rotelle", "accessibile", "accessibilita", "disabili", "ascensore"),
        "pt": (
            "cadeira de rodas",
            "acessivel",
            "acessibilidade",
            "mobilidade reduzida",
            "elevador",
        ),
    },
    "airport": {
        "en": ("airport", "airport transfer", "shuttle", "pick up from the airport"),
        "es": ("aeropuerto", "traslado", "traslado al aeropuerto", "lanzadera"),
        "de": ("flughafen", "flughafentransfer", "shuttle"),
        "fr": ("aeroport", "navette", "transfert aeroport"),
        "it": ("aeroporto", "navetta", "transfer aeroporto"),
        "pt": ("aeroporto", "transfer", "transfere", "shuttle"),
    },
}

_NORMALISED: dict[str, tuple[str, ...]] = {
    topic: normalise_all(p for phrases in by_lang.values() for p in phrases)
    for topic, by_lang in KEYWORDS.items()
}


class KeywordFaqMatcher:
    """Synonym lists from every language at once: guests mix languages ("wifi password?")."""

    def __init__(self, keywords: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self._keywords = dict(keywords) if keywords is not None else _NORMALISED

    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        normalised = normalise(text)
        if not normalised:
            return []
        found = [
            FaqMatch(topic, score)
            for topic, phrases in self._keywords.items()
            if (score := best_phrase_score(normalised, phrases)) >= MIN_SCORE
        ]
        return sorted(found, key=lambda m: (-m.score, TOPICS.index(m.topic)))


def default_faq_matcher() -> FaqMatcher:
    return _DEFAULT


_DEFAULT = KeywordFaqMatcher()
