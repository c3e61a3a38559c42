"""`hotelbot train`: the intent, topic, service and act heads, calibrated, in one small file.

Train: our phrase banks (`eval/phrases`, guest style), the FAQ example questions, CLINC150
train and SGD hotels train (mapped by `public`). Dev (tuning only): our hand-written sets
`eval/data/<lang>.jsonl` and `eval/data/heldout/`, CLINC150 val and SGD hotels dev. The test
split (`eval/data/test/`) and the public test splits are never read here.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hotelbot.engine.understand.faq_embedding import Embedder, faq_examples
from hotelbot.engine.understand.intent_model import (
    ACTS,
    INTENTS,
    SERVICES,
    TOPICS,
    IntentModel,
)
from hotelbot.evaluation import CLINC_UNCLEAR
from hotelbot.training.features import FeatureCache
from hotelbot.training.fit import Matrix, fit_sigmoid, fit_softmax, fit_temperature, softmax
from hotelbot.training.phrases import Example, generate_all
from hotelbot.training.public import (
    clinc_examples,
    sgd_act_rows,
    sgd_acts,
    sgd_examples,
)

SEED = 9
PER_TEMPLATE = 3
SGD_ACT_ROWS = 800
#: Rows of CLINC150 val and SGD dev that tune the out-of-scope floor and the act thresholds.
DEV_SAMPLE = 600
#: The out-of-scope floor must keep at least this recall on CLINC150 val's `oos` rows.
MIN_OOS_RECALL = 0.92


@dataclass(frozen=True)
class Sources:
    repo: Path  # the checkout: eval/phrases, eval/data
    public: Path  # CLINC150 and SGD files (../shared/data/nlu on our machines)


def training_examples(sources: Sources) -> list[Example]:
    ours = generate_all(sources.repo / "eval" / "phrases", per_template=PER_TEMPLATE, seed=SEED)
    questions = [
        Example(q, lang, "faq", faq_topic=topic)
        for topic, by_lang in sorted(faq_examples().items())
        for lang, qs in sorted(by_lang.items())
        for q in qs
    ]
    public = clinc_examples(sources.public / "clinc150_train.jsonl", seed=SEED)
    public += sgd_examples(sources.public / "sgd_hotels_train.jsonl", seed=SEED)
    return ours + questions + public


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def dev_rows(sources: Sources) -> list[dict[str, Any]]:
    data = sources.repo / "eval" / "data"
    paths = sorted(data.glob("*.jsonl")) + sorted((data / "heldout").glob("*.jsonl"))
    return [row for path in paths for row in _jsonl(path)]


def _acts_of(example: Example) -> frozenset[str]:
    return frozenset({example.intent}) & frozenset(ACTS)


def train(sources: Sources, embedder: Embedder, cache_dir: Path) -> IntentModel:
    cache = FeatureCache(embedder, cache_dir)
    examples = training_examples(sources)
    x = cache.embed([e.text for e in examples], progress=True).astype(np.float64)
    intent = fit_softmax(x, [e.intent for e in examples], labels=INTENTS)
    faq = [i for i, e in enumerate(examples) if e.faq_topic]
    topic = fit_softmax(x[faq], [examples[i].faq_topic or "" for i in faq], labels=TOPICS)
    svc = [i for i, e in enumerate(examples) if e.service]
    service = fit_softmax(x[svc], [examples[i].service or "" for i in svc], labels=SERVICES)
    act_rows = sgd_act_rows(sources.public / "sgd_hotels_train.jsonl", limit=SGD_ACT_ROWS,
                            seed=SEED)  # fmt: skip
    x_acts = cache.embed([t for t, _ in act_rows], progress=True).astype(np.float64)
    acts = fit_sigmoid(
        np.vstack([x, x_acts]), [_acts_of(e) for e in examples] + [a for _, a in act_rows], ACTS
    )
    model = IntentModel(intent=intent, topic=topic, service=service, acts=acts)
    return _calibrate(model, sources, cache)


def _calibrate(model: IntentModel, sources: Sources, cache: FeatureCache) -> IntentModel:
    dev = dev_rows(sources)
    x_dev = cache.embed([r["text"] for r in dev]).astype(np.float64)
    gold = [INTENTS.index(r["intent"]) for r in dev]
    temperature = fit_temperature(model.intent.logits(x_dev), gold)
    clinc = _jsonl(sources.public / "clinc150_val.jsonl")
    # Every out-of-scope row of val (100) and a sample of the rest.
    clinc = [r for r in clinc if r["intent"] == "oos"] + _sample(
        [r for r in clinc if r["intent"] not in CLINC_UNCLEAR and r["intent"] != "oos"]
    )
    x_clinc = cache.embed([r["utterance"] for r in clinc], progress=True).astype(np.float64)
    clinc_oos = np.array([r["intent"] == "oos" for r in clinc])
    floor = _best_floor(model, temperature, (x_dev, gold), (x_clinc, clinc_oos))
    sgd = _sample(_jsonl(sources.public / "sgd_hotels_dev.jsonl"))
    x_sgd = cache.embed([r["utterance"] for r in sgd], progress=True).astype(np.float64)
    act_gold = [sgd_acts(r) for r in sgd] + [frozenset({r["intent"]}) & set(ACTS) for r in dev]
    ours = np.array([False] * len(sgd) + [True] * len(dev))
    act_thresholds = _act_thresholds(model, np.vstack([x_sgd, x_dev]), act_gold, ours)
    return IntentModel(
        intent=model.intent,
        topic=model.topic,
        service=model.service,
        acts=model.acts,
        temperature=temperature,
        floor=floor,
        act_thresholds=act_thresholds,
        data_digest=data_digest(sources),
    )


def _sample(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return random.Random(SEED).sample(rows, min(DEV_SAMPLE, len(rows)))


def _best_floor(
    model: IntentModel,
    temperature: float,
    ours: tuple[Matrix, list[int]],
    clinc: tuple[Matrix, npt.NDArray[np.bool_]],
) -> float:
    """The confidence below which a guess counts as out of scope: the floor that gives the
    best accuracy on our dev sets among those that keep CLINC150 val's out-of-scope recall at
    `MIN_OOS_RECALL` (on a tie, the higher floor)."""
    oos = INTENTS.index("out_of_scope")
    p_ours = softmax(model.intent.logits(ours[0]) / temperature)
    p_clinc = softmax(model.intent.logits(clinc[0]) / temperature)
    gold = np.array(ours[1])
    best, best_score = 0.9, -1.0
    for floor in np.round(np.arange(0.0, 0.91, 0.02), 2):
        rejected = (p_clinc.max(axis=1) < floor) | (p_clinc.argmax(axis=1) == oos)
        if rejected[clinc[1]].mean() < MIN_OOS_RECALL:
            continue
        guess = np.where(p_ours.max(axis=1) >= floor, p_ours.argmax(axis=1), oos)
        score = float((guess == gold).mean())
        if score >= best_score - 1e-9:
            best, best_score = float(floor), score
    return best


def _act_thresholds(
    model: IntentModel,
    x: Matrix,
    gold: Sequence[frozenset[str]],
    ours: npt.NDArray[np.bool_],
) -> tuple[float, ...]:
    """Per act, the threshold with the best accuracy: on SGD dev and our dev for yes/no, on
    our dev alone for thanks/goodbye/greeting, whose SGD labels contradict the words
    ("Thanks. Can you find me a hotel" carries no THANK_YOU; see docs/quality.md)."""
    probs = 1.0 / (1.0 + np.exp(-model.acts.logits(x)))
    out = []
    for j, act in enumerate(model.acts.labels):
        rows = np.ones(len(gold), dtype=bool) if act in ("affirm", "negate") else ours
        truth = np.array([act in g for g in gold])[rows]
        scores = {
            float(t): float(((probs[rows, j] >= t) == truth).mean())
            for t in np.round(np.arange(0.3, 0.96, 0.025), 3)
        }
        out.append(max(scores, key=lambda t: (scores[t], -abs(t - 0.5))))
    return tuple(out)


def data_digest(sources: Sources) -> str:
    """Hash of everything the model is trained and tuned on, stored in the model file."""
    digest = hashlib.sha256()
    for example in training_examples(sources):
        digest.update(f"{example}\n".encode())
    for row in dev_rows(sources):
        digest.update(json.dumps(row, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    """Where the shipped model lives in the source tree."""
    from hotelbot.engine.understand import intent_model

    return Path(intent_model.__file__).parent / "data" / intent_model.MODEL_FILE
