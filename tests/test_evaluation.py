"""`evaluate()` reads the three formats row by row and reports the metrics a reader expects."""

from __future__ import annotations

from pathlib import Path

from hotelbot.evaluation import evaluate

DATA = Path(__file__).parent / "data" / "nlu"


def test_sgd_turns_score_acts_intents_and_slots() -> None:
    result = evaluate(DATA / "sgd_like.jsonl")
    assert result["rows"] == {"sgd": 4}
    assert result["intent_accuracy"] == 1.0
    assert result["slots"]["check_in"]["f1"] == 1.0
    assert result["slots"]["nights"]["f1"] == 1.0
    assert result["slots"]["rooms"]["f1"] == 1.0
    assert result["dialogue_acts"]["thanks"]["recall"] == 1.0
    assert result["dialogue_acts"]["affirm"]["accuracy"] == 1.0


def test_clinc_rows_score_out_of_scope_and_hotel_booking() -> None:
    result = evaluate(DATA / "clinc_like.jsonl")
    assert result["out_of_scope"]["strict"]["recall"] == 1.0
    assert result["out_of_scope"]["strict"]["precision"] == 1.0
    assert result["out_of_scope"]["hotel_booking_recall"] == 1.0


def test_our_format_scores_per_language_faq_services_and_dates() -> None:
    result = evaluate(DATA / "hotelbot_like.jsonl")
    assert result["intent_accuracy"] == 1.0
    assert set(result["intent_accuracy_by_language"]) == {"en", "es", "de", "fr"}
    assert result["faq_top1_accuracy"] == 1.0
    assert result["service_accuracy"] == 1.0
    assert result["date_normalisation_accuracy"] == 1.0
    assert result["slots"]["adults"]["f1"] == 1.0


def test_limit_scores_only_the_first_rows() -> None:
    assert evaluate(DATA / "hotelbot_like.jsonl", limit=2)["rows"] == {"hotelbot": 2}


def test_a_faq_matcher_is_scored_per_language_with_its_false_topics() -> None:
    from hotelbot.engine.understand.faq import KeywordFaqMatcher

    result = evaluate(DATA / "hotelbot_like.jsonl", faq_matcher=KeywordFaqMatcher())
    scored = result["faq_matcher"]
    assert scored["name"] == "KeywordFaqMatcher"
    assert scored["top1_accuracy"] == 1.0
    assert set(scored["top1_accuracy_by_language"]) <= {"en", "es", "de", "fr"}
    assert scored["topic_on_non_faq_rate"] is not None
    assert scored["ms_per_query"]["p50"] >= 0.0
    assert set(result["faq_top1_accuracy_by_language"]) == set(scored["top1_accuracy_by_language"])


def test_our_six_language_sets_are_complete_and_well_formed() -> None:
    import json

    root = Path(__file__).parents[1] / "eval" / "data"
    intents = {
        "book", "modify_booking", "cancel_booking", "booking_status", "faq", "service_request",
        "handoff", "complaint", "greeting", "thanks", "goodbye", "affirm", "negate",
        "bot_question", "opt_out", "out_of_scope",
    }  # fmt: skip
    for lang in ("en", "es", "de", "fr", "it", "pt"):
        rows = [json.loads(line) for line in (root / f"{lang}.jsonl").read_text().splitlines()]
        held = (root / "heldout" / f"{lang}.jsonl").read_text().splitlines()
        assert len(rows) >= 60 and len(held) >= 20
        assert {r["intent"] for r in rows} == intents
        assert {r["faq_topic"] for r in rows if r["faq_topic"]} >= {
            "checkin_time", "checkout_time", "breakfast", "parking", "pets", "wifi", "pool",
            "gym", "location", "cancellation_policy", "payment", "accessibility", "airport",
        }  # fmt: skip
        assert len({r["service"] for r in rows if r["service"]}) == 8
        assert all(r["lang"] == lang and r["today"] and r["timezone"] for r in rows)


def test_the_test_split_covers_every_intent_topic_and_service_in_six_languages() -> None:
    import json

    root = Path(__file__).parents[1] / "eval" / "data" / "test"
    for lang in ("en", "es", "de", "fr", "it", "pt"):
        rows = [json.loads(line) for line in (root / f"{lang}.jsonl").read_text().splitlines()]
        assert len(rows) >= 60
        assert len({r["intent"] for r in rows}) == 16
        assert len({r["faq_topic"] for r in rows if r["faq_topic"]}) == 13
        assert len({r["service"] for r in rows if r["service"]}) == 8
        assert all(r["lang"] == lang and r["today"] and r["timezone"] for r in rows)
