"""The shipped intent model is the one `hotelbot train` makes from the data in this repo.

Retraining from scratch embeds ~9,000 texts (minutes), so `.ci/run` does that
(`hotelbot train --check`); here the cheap half: the model file records a hash of exactly the
training and dev examples the current phrase banks, FAQ examples and public splits give.
"""

from __future__ import annotations

from pathlib import Path

from hotelbot.engine.understand.intent_model import INTENTS, shipped_model
from hotelbot.training.build import Sources, data_digest, training_examples

REPO = Path(__file__).parents[2]
SOURCES = Sources(repo=REPO, public=REPO.parent / "shared" / "data" / "nlu")


def test_the_shipped_model_was_trained_on_the_current_data() -> None:
    assert shipped_model().data_digest == data_digest(SOURCES)


def test_training_draws_on_our_six_languages_and_both_public_splits() -> None:
    examples = training_examples(SOURCES)
    assert {e.lang for e in examples} == {"en", "es", "de", "fr", "it", "pt"}
    assert {e.intent for e in examples} == set(INTENTS)
    english = [e for e in examples if e.lang == "en"]
    assert len(english) > len(examples) / 6  # CLINC150 and SGD rows are English


def test_no_message_of_the_test_split_is_trained_on() -> None:
    """Short common phrases ("stop", "grazie mille") are bound to recur; sentences must not."""
    import json

    test_texts = {
        json.loads(line)["text"]
        for path in (REPO / "eval" / "data" / "test").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
    }
    sentences = {t for t in test_texts if len(t.split()) >= 4}
    assert not sentences & {e.text for e in training_examples(SOURCES)}
