"""The public training splits, mapped onto our labels where the mapping is clear.

CLINC150 teaches what is *not* a hotel request: its out-of-scope rows and a sample of each of
its 150 intents (banking, travel, small talk …) are `out_of_scope`, except the few that are
ours (book_hotel, greeting, goodbye, thank_you, yes, no, are_you_a_bot) and the ones a hotel bot
may fairly read either way (`CLINC_UNCLEAR`: left out). SGD hotel turns give stay requests
(INFORM_INTENT → book) and the acts of a dialogue (a turn that only affirms, negates, thanks or
says goodbye). Only train splits are read here; dev/val splits tune, test splits are reported.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

from hotelbot.evaluation import CLINC_INTENTS, CLINC_UNCLEAR, SGD_ACTS
from hotelbot.training.phrases import Example

#: Rows kept from each CLINC intent that is out of scope for a hotel (150 intents times this).
CLINC_PER_OTHER_INTENT = 5
SGD_PER_LABEL = 150


def _rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def clinc_examples(path: Path, *, seed: int) -> list[Example]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for row in _rows(path):
        by_intent[row["intent"]].append(row["utterance"])
    rng = random.Random(f"{seed}-clinc")
    out: list[Example] = []
    for intent in sorted(by_intent):
        if intent in CLINC_UNCLEAR:
            continue
        texts = sorted(set(by_intent[intent]))
        if intent not in CLINC_INTENTS:
            texts = rng.sample(texts, min(CLINC_PER_OTHER_INTENT, len(texts)))
        label = CLINC_INTENTS.get(intent, "out_of_scope")
        out += [Example(t, "en", label) for t in texts]
    return out


def sgd_label(row: dict[str, Any]) -> str | None:
    """`book` for a turn that states the intent, an act for a turn made of one act only."""
    acts = {a["act"] for a in row.get("acts", [])}
    if "INFORM_INTENT" in acts:
        return "book"
    mapped = {SGD_ACTS[a] for a in acts if a in SGD_ACTS}
    if acts and acts <= set(SGD_ACTS) and len(mapped) == 1:
        return mapped.pop()
    return None


def sgd_acts(row: dict[str, Any]) -> frozenset[str]:
    return frozenset(SGD_ACTS[a["act"]] for a in row.get("acts", []) if a["act"] in SGD_ACTS)


def sgd_examples(path: Path, *, seed: int) -> list[Example]:
    by_label: dict[str, set[str]] = defaultdict(set)
    for row in _rows(path):
        label = sgd_label(row)
        if label is not None:
            by_label[label].add(row["utterance"])
    rng = random.Random(f"{seed}-sgd")
    out: list[Example] = []
    for label in sorted(by_label):
        texts = sorted(by_label[label])
        out += [Example(t, "en", label) for t in rng.sample(texts, min(SGD_PER_LABEL, len(texts)))]
    return out


def sgd_act_rows(path: Path, *, limit: int, seed: int) -> list[tuple[str, frozenset[str]]]:
    """(utterance, acts) pairs for the act detectors: every kind of turn, acts or none."""
    rows = _rows(path)
    rng = random.Random(f"{seed}-sgd-acts")
    picked = rng.sample(rows, min(limit, len(rows)))
    return [(r["utterance"], sgd_acts(r)) for r in picked]
