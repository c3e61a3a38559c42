"""FAQ by meaning: paraphrases in six languages, nothing for what is not an FAQ, offline."""

from __future__ import annotations

import re
import socket
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from hotelbot.engine.understand import faq, faq_embedding
from hotelbot.engine.understand.faq import (
    E5Embedder,
    EmbeddingFaqMatcher,
    FaqMatcher,
    HybridFaqMatcher,
    Vectors,
    default_embedder,
    faq_matcher_for,
)
from hotelbot.property.demo import DEMO_PROFILE

# Fresh wordings: in none of the example questions, the keyword lists or the eval sets.
PARAPHRASES = [
    ("en", "is there anywhere I can leave the car overnight", "parking"),
    ("en", "what's the code to get online", "wifi"),
    ("es", "¿puedo llevar a mi perrito?", "pets"),
    ("de", "Wo kann ich meinen Wagen abstellen?", "parking"),
    ("it", "come ci si collega alla rete?", "wifi"),
    ("pt", "dá para fazer exercício aí?", "gym"),
    ("de", "Wann gibt es morgens etwas zu essen?", "breakfast"),
]

NOT_FAQ = [
    ("en", "I'd like a double room from the 3rd to the 5th"),
    ("es", "me pueden traer más toallas?"),
    ("de", "vielen Dank!"),
    ("fr", "qui a gagné le match hier soir ?"),
    ("it", "mi consigli un buon film da vedere?"),
    ("pt", "quero cancelar a minha reserva"),
]


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return faq_matcher_for(DEMO_PROFILE)


@pytest.mark.parametrize(("language", "text", "topic"), PARAPHRASES)
def test_a_paraphrase_finds_its_topic(
    matcher: FaqMatcher, language: str, text: str, topic: str
) -> None:
    found = matcher.match(text, language=language)
    assert found and found[0].topic == topic
    assert all(faq.MIN_SCORE <= m.score <= 1.0 for m in found)


@pytest.mark.parametrize(("language", "text"), NOT_FAQ)
def test_what_is_not_an_faq_gets_no_topic(matcher: FaqMatcher, language: str, text: str) -> None:
    assert matcher.match(text, language=language) == []


def test_a_question_without_the_topics_words_finds_it(matcher: FaqMatcher) -> None:
    # No "palestra", "gym" or "fitness": the embeddings of the example questions alone put
    # pool, airport and accessibility within a hair of each other here; the learned topic
    # head reads it as the gym question it is.
    text = "c'è modo di fare un po' di esercizio in albergo?"
    assert [m.topic for m in matcher.match(text, language="it")][:1] == ["gym"]


def test_an_unclear_question_gets_no_topic_rather_than_a_wrong_one(matcher: FaqMatcher) -> None:
    assert matcher.match("what is the meaning of life?", language="en") == []


def test_an_exact_keyword_wins_without_doubt(matcher: FaqMatcher) -> None:
    assert [m.topic for m in matcher.match("what time is breakfast?", language="en")] == [
        "breakfast"
    ]


def test_the_model_loads_and_embeds_with_the_network_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the FAQ model tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    embedder = E5Embedder()
    vectors = embedder.embed(["¿hay aparcamiento?", "is there parking?"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert float(vectors[0] @ vectors[1]) > 0.9  # the same question in two languages


def test_the_shipped_example_vectors_are_those_of_the_model_and_the_examples() -> None:
    embedder = default_embedder()
    shipped = faq_embedding._shipped_vectors(embedder.name)
    entries = faq_embedding._example_entries()
    assert shipped is not None, "run write_shipped_vectors after editing faq_examples.json"
    assert shipped.shape[0] == len(entries)
    picks = [0, len(entries) // 2, len(entries) - 1]
    fresh = embedder.embed([entries[i][1] for i in picks])
    for row, i in enumerate(picks):
        assert float(fresh[row] @ shipped[i]) > 0.999


class WordsEmbedder:
    """Another model, plugged in through the Protocol: hashed bags of words."""

    name = "test/bag-of-words"

    def embed(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[row, sum(map(ord, word)) % 64] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def test_a_hotel_can_plug_in_another_embedder() -> None:
    matcher = EmbeddingFaqMatcher(WordsEmbedder(), threshold=0.5, margin=0.0)
    found = matcher.match("What is the password for the wireless network?", language="en")
    assert found and found[0].topic == "wifi"


def test_one_matcher_per_property_and_a_fresh_one_when_its_answers_change() -> None:
    first = faq_matcher_for(DEMO_PROFILE)
    assert faq_matcher_for(dict(DEMO_PROFILE)) is first
    edited = {**DEMO_PROFILE, "faq": {**DEMO_PROFILE["faq"], "pool": {"en": "No pool, sorry."}}}
    second = faq_matcher_for(edited)
    assert second is not first
    assert isinstance(second, HybridFaqMatcher)
