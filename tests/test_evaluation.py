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
