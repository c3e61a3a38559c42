"""`hotelbot eval PATH`: score the offline understanding on a labelled JSONL file.

Reads, row by row (the format is detected per row), SGD hotel turns (`utterance` + `acts`),
CLINC150 rows (`utterance` + `intent`, `oos` for out-of-scope) and our own format (`text`,
`lang`, `today`, `intent`, `slots` …), and returns intent accuracy, dialogue-act scores, slot
precision/recall/F1, date normalisation accuracy, out-of-scope precision/recall, FAQ top-1
accuracy, per language where the rows say it. With `faq_matcher=` (e.g. the embedding matcher
of `faq_matcher_for(DEMO_PROFILE)`), FAQ rows are also scored through that matcher: top-1
accuracy per language, how often a non-FAQ message is given a topic, and time per query.
SGD dates are surface text ("the 8th"): both the
gold value and our answer are resolved against `SGD_TODAY`, a fixed Friday in March 2019, the
month the SGD dialogues talk about.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from hotelbot.engine.understand import classifier
from hotelbot.engine.understand.classifier import Classification
from hotelbot.engine.understand.dates import parse_dates
from hotelbot.engine.understand.faq import FaqMatcher
from hotelbot.engine.understand.slots import SCALAR_SLOTS, Slots, extract_slots, for_intent

SGD_TODAY = date(2019, 3, 1)
SGD_SLOTS = {
    "check_in_date": "check_in",
    "check_out_date": "check_out",
    "stay_length": "nights",
    "number_of_days": "nights",
    "number_of_rooms": "rooms",
    "number_of_adults": "adults",
}
#: SGD's user acts in ours: accepting an offered hotel (SELECT) or the offer to book
#: (AFFIRM_INTENT) is a "yes" to our bot, and declining to book (NEGATE_INTENT) a "no".
SGD_ACTS = {
    "AFFIRM": "affirm",
    "AFFIRM_INTENT": "affirm",
    "SELECT": "affirm",
    "NEGATE": "negate",
    "NEGATE_INTENT": "negate",
    "THANK_YOU": "thanks",
    "GOODBYE": "goodbye",
}
CLINC_INTENTS = {
    "book_hotel": "book",
    "greeting": "greeting",
    "goodbye": "goodbye",
    "thank_you": "thanks",
    "yes": "affirm",
    "no": "negate",
    "are_you_a_bot": "bot_question",
    "oos": "out_of_scope",
}
#: CLINC intents a hotel bot may fairly read as its own (a reservation, a taxi, directions):
#: left out of the mapped accuracy rather than scored either way.
CLINC_UNCLEAR = {
    "cancel_reservation",
    "confirm_reservation",
    "uber",
    "directions",
    "restaurant_reservation",
    "accept_reservations",
    "what_can_i_ask_you",
    "who_made_you",
    "what_is_your_name",
    "share_location",
    "current_location",
    "maybe",
    "cancel",
}
SCORED_SLOTS = SCALAR_SLOTS


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": self.tp + self.fn,
        }


class Reader(Protocol):
    """What reads one message: the offline classifier and slot rules, or a model
    (`engine/llm/evaluate.py`, `hotelbot eval --llm`)."""

    def __call__(
        self, text: str, *, language: str, today: date
    ) -> tuple[Classification, Slots]: ...


def read_offline(text: str, *, language: str, today: date) -> tuple[Classification, Slots]:
    return (
        classifier.classify(text, language=language, today=today),
        extract_slots(text, language=language, today=today),
    )


@dataclass
class _Tally:
    read: Reader = read_offline
    rows: Counter[str] = field(default_factory=Counter)
    intent: Counter[str] = field(default_factory=Counter)
    intent_by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    acts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    slots: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    dates: Counter[str] = field(default_factory=Counter)
    oos: Counter[str] = field(default_factory=Counter)
    faq: Counter[str] = field(default_factory=Counter)
    faq_by_lang: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    service: Counter[str] = field(default_factory=Counter)
    matcher: FaqMatcher | None = None
    matcher_faq: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    matcher_other: Counter[str] = field(default_factory=Counter)
    matcher_ms: list[float] = field(default_factory=list)


def _score_intent(t: _Tally, gold: str | set[str], predicted: str, lang: str) -> None:
    ok = predicted in gold if isinstance(gold, set) else predicted == gold
    t.intent["total"] += 1
    t.intent["correct"] += ok
    t.intent_by_lang[lang]["total"] += 1
    t.intent_by_lang[lang]["correct"] += ok
    if not ok:
        t.confusions[(str(sorted(gold)) if isinstance(gold, set) else gold, predicted)] += 1


def _score_slots(
    t: _Tally, gold: dict[str, Any], predicted: dict[str, Any], names: tuple[str, ...]
) -> None:
    for name in names:
        g, p = gold.get(name), predicted.get(name)
        if g is None and p is None:
            continue
        counts = t.slots[name]
        if g is not None and p is not None and _same(g, p):
            counts.tp += 1
            continue
        if p is not None:
            counts.fp += 1
        if g is not None:
            counts.fn += 1


def _same(gold: Any, predicted: Any) -> bool:
    if isinstance(gold, str) and isinstance(predicted, str):
        return gold.strip().upper() == predicted.strip().upper()
    return bool(gold == predicted)


def _outcome(gold: bool, predicted: bool) -> str:
    """One cell of a binary confusion table."""
    if gold:
        return "hit" if predicted else "miss"
    return "false_alarm" if predicted else "rejection"


def _oos(t: _Tally, gold_oos: bool, predicted_oos: bool) -> None:
    t.oos[_outcome(gold_oos, predicted_oos)] += 1


# --------------------------------------------------------------------------- row kinds


def _ours(t: _Tally, row: dict[str, Any]) -> None:
    lang = row.get("lang") or "en"
    today = date.fromisoformat(row["today"]) if row.get("today") else date.today()
    result, slots = t.read(row["text"], language=lang, today=today)
    _score_intent(t, row["intent"], result.intent, lang)
    _oos(t, row["intent"] == "out_of_scope", result.intent == "out_of_scope")
    if row["intent"] == "faq":
        ok = result.intent == "faq" and result.faq_topic == row.get("faq_topic")
        for c in (t.faq, t.faq_by_lang[lang]):
            c["total"] += 1
            c["correct"] += ok
    if t.matcher is not None:
        _score_matcher(t, t.matcher, row, lang)
    if row["intent"] == "service_request":
        t.service["total"] += 1
        t.service["correct"] += result.service == row.get("service")
    predicted = for_intent(slots, result.intent).as_dict()
    gold = dict(row.get("slots") or {})
    _score_slots(t, gold, predicted, SCORED_SLOTS)
    for name in ("check_in", "check_out"):
        if gold.get(name):
            t.dates["total"] += 1
            t.dates["correct"] += slots.as_dict().get(name) == gold[name]


def _score_matcher(t: _Tally, matcher: FaqMatcher, row: dict[str, Any], lang: str) -> None:
    """Top-1 topic on FAQ rows; on every other row, whether a topic was (wrongly) given."""
    started = time.perf_counter()
    matches = matcher.match(row["text"], language=lang)
    t.matcher_ms.append((time.perf_counter() - started) * 1000)
    if row["intent"] == "faq":
        c = t.matcher_faq[lang]
        c["total"] += 1
        c["correct"] += bool(matches) and matches[0].topic == row.get("faq_topic")
    else:
        t.matcher_other["total"] += 1
        t.matcher_other["topic_given"] += bool(matches)


def _sgd(t: _Tally, row: dict[str, Any]) -> None:
    text = row["utterance"]
    result, slots = t.read(text, language="en", today=SGD_TODAY)
    gold_acts = {SGD_ACTS[a["act"]] for a in row.get("acts", []) if a["act"] in SGD_ACTS}
    for act in ("affirm", "negate", "thanks", "goodbye"):
        t.acts[act][_outcome(act in gold_acts, act in result.acts)] += 1
    gold_intent = _sgd_intent(row)
    if gold_intent:
        _score_intent(t, gold_intent, result.intent, "en")
    gold = _sgd_gold_slots(row)
    predicted = for_intent(slots, result.intent).as_dict()
    _score_slots(t, gold, predicted, ("check_in", "check_out", "nights", "rooms", "adults"))
    for name, value in gold.items():
        if name in ("check_in", "check_out"):
            t.dates["total"] += 1
            # Normalisation is scored before the intent filter: did the date come out right?
            t.dates["correct"] += value is not None and slots.as_dict().get(name) == value


def _sgd_intent(row: dict[str, Any]) -> set[str] | None:
    """The one intent of ours a turn clearly is, from its acts; None for slot answers."""
    acts = {a["act"] for a in row.get("acts", [])}
    if "INFORM_INTENT" in acts or "REQUEST_ALTS" in acts:
        return {"book"}
    mapped = {SGD_ACTS[a] for a in acts if a in SGD_ACTS}
    if acts and acts <= set(SGD_ACTS):
        return mapped or None
    return None


def _sgd_gold_slots(row: dict[str, Any]) -> dict[str, Any]:
    gold: dict[str, Any] = {}
    for sgd_name, values in (row.get("turn_slots") or {}).items():
        ours = SGD_SLOTS.get(sgd_name)
        if ours is None or not values:
            continue
        surface = str(values[0])
        if ours in ("check_in", "check_out"):
            resolved = parse_dates(f"on {surface}", language="en", today=SGD_TODAY).check_in
            gold[ours] = resolved.isoformat() if resolved else None
        else:
            number = extract_slots(f"{surface} rooms", language="en", today=SGD_TODAY).rooms
            gold[ours] = number
    return gold


def _clinc(t: _Tally, row: dict[str, Any]) -> None:
    gold = row["intent"]
    result, _ = t.read(row["utterance"], language="en", today=SGD_TODAY)
    _oos(t, gold == "oos", result.intent == "out_of_scope")
    t.rows[f"clinc_{'oos' if gold == 'oos' else 'in'}"] += 1
    if gold == "book_hotel":
        t.oos["hotel_total"] += 1
        t.oos["hotel_found"] += result.intent == "book"
    if gold in CLINC_UNCLEAR:
        return
    mapped = CLINC_INTENTS.get(gold, "out_of_scope")
    _score_intent(t, mapped, result.intent, "en")
    outcome = _outcome(mapped == "out_of_scope", result.intent == "out_of_scope")
    t.oos[f"mapped_{outcome}"] += 1


def _kind(row: dict[str, Any]) -> str:
    if "text" in row and "intent" in row:
        return "hotelbot"
    if "utterance" in row and "acts" in row:
        return "sgd"
    if "utterance" in row and "intent" in row:
        return "clinc150"
    return "unknown"


# --------------------------------------------------------------------------- report


def evaluate(
    path: str | Path,
    *,
    limit: int = 0,
    faq_matcher: FaqMatcher | None = None,
    reader: Reader = read_offline,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Score every row of the JSONL file at `path` (the first `limit` rows when > 0).

    `faq_matcher` is also scored on our-format rows (see the module docstring); `reader` reads
    each message (the offline classifier by default). With `cache_dir`, the offline reader's
    message vectors are embedded in one batch and kept there (`hotelbot train`'s cache), so a
    re-run of a large split costs seconds; the scores are the same either way.
    """
    rows = _read(Path(path), limit)
    if cache_dir is not None and reader is read_offline:
        reader = _cached_reader(rows, cache_dir)
    tally = _Tally(read=reader, matcher=faq_matcher)
    scorers = {"hotelbot": _ours, "sgd": _sgd, "clinc150": _clinc}
    for row in rows:
        kind = _kind(row)
        tally.rows[kind] += 1
        if kind in scorers:
            scorers[kind](tally, row)
    return _report(tally, str(path))


def _read(path: Path, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle):
            if limit and n >= limit:
                break
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _cached_reader(rows: list[dict[str, Any]], cache_dir: Path) -> Reader:
    from hotelbot.engine.understand.faq_embedding import default_embedder
    from hotelbot.training.features import FeatureCache

    texts = sorted({str(r.get("text") or r.get("utterance") or "") for r in rows} - {""})
    vectors = dict(
        zip(texts, FeatureCache(default_embedder(), cache_dir).embed(texts), strict=True)
    )

    def read(text: str, *, language: str, today: date) -> tuple[Classification, Slots]:
        found = classifier.classify(text, language=language, today=today, vector=vectors.get(text))
        return found, extract_slots(text, language=language, today=today)

    return read


def _ratio(c: Counter[str], num: str = "correct", den: str = "total") -> float | None:
    return round(c[num] / c[den], 4) if c[den] else None


def _report(t: _Tally, path: str) -> dict[str, Any]:
    report: dict[str, Any] = {"path": path, "rows": dict(t.rows)}
    if t.intent["total"]:
        report["intent_accuracy"] = _ratio(t.intent)
        report["intent_rows"] = t.intent["total"]
        report["intent_accuracy_by_language"] = {
            lang: _ratio(c) for lang, c in sorted(t.intent_by_lang.items())
        }
        report["top_confusions"] = [
            {"gold": g, "predicted": p, "count": n} for (g, p), n in t.confusions.most_common(10)
        ]
    if t.acts:
        report["dialogue_acts"] = {act: _act_scores(c) for act, c in t.acts.items()}
    if t.slots:
        report["slots"] = {name: c.scores() for name, c in sorted(t.slots.items())}
    if t.dates["total"]:
        report["date_normalisation_accuracy"] = _ratio(t.dates)
        report["date_mentions"] = t.dates["total"]
    if sum(t.oos.values()):
        report["out_of_scope"] = _oos_report(t.oos)
    if t.faq["total"]:
        report["faq_top1_accuracy"] = _ratio(t.faq)
        report["faq_top1_accuracy_by_language"] = {
            lang: _ratio(c) for lang, c in sorted(t.faq_by_lang.items())
        }
    if t.matcher_ms:
        report["faq_matcher"] = _matcher_report(t)
    if t.service["total"]:
        report["service_accuracy"] = _ratio(t.service)
    return report


def _binary(c: Counter[str], prefix: str = "") -> _Counts:
    return _Counts(c[f"{prefix}hit"], c[f"{prefix}false_alarm"], c[f"{prefix}miss"])


def _act_scores(c: Counter[str]) -> dict[str, float | int]:
    scores = _binary(c).scores()
    total = c["hit"] + c["miss"] + c["false_alarm"] + c["rejection"]
    scores["accuracy"] = round((c["hit"] + c["rejection"]) / total, 4) if total else 0.0
    return scores


def _oos_report(c: Counter[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"strict": _binary(c).scores()}
    if c["mapped_hit"] + c["mapped_miss"] + c["mapped_false_alarm"]:
        out["hotel_mapped"] = _binary(c, "mapped_").scores()
    if c["hotel_total"]:
        out["hotel_booking_recall"] = round(c["hotel_found"] / c["hotel_total"], 4)
    return out


def _matcher_report(t: _Tally) -> dict[str, Any]:
    total: Counter[str] = Counter()
    for c in t.matcher_faq.values():
        total.update(c)
    ms = sorted(t.matcher_ms)
    return {
        "name": type(t.matcher).__name__,
        "top1_accuracy": _ratio(total),
        "top1_accuracy_by_language": {lang: _ratio(c) for lang, c in sorted(t.matcher_faq.items())},
        "topic_on_non_faq_rate": _ratio(t.matcher_other, "topic_given"),
        "ms_per_query": {
            "p50": round(ms[len(ms) // 2], 2),
            "p99": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 2),
        },
    }
