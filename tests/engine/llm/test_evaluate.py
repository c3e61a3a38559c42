"""`hotelbot eval --llm`: the same evaluation, read by a model through the real SDK."""

from __future__ import annotations

import json
from pathlib import Path

from hotelbot.engine.llm.evaluate import LlmReader
from hotelbot.evaluation import evaluate
from hotelbot.sandbox.openai_model import Fail, Reply, ScriptedModel
from hotelbot.settings import LlmProviderKind, LlmSettings
from tests.llm_server import OpenAiServer

ROWS = [
    {"text": "I'd like a room for 2 adults", "lang": "en", "today": "2026-03-02", "intent": "book",
     "slots": {"adults": 2}},
    {"text": "what time is breakfast", "lang": "en", "today": "2026-03-02", "intent": "faq",
     "faq_topic": "breakfast"},
    {"text": "cancel my booking please", "lang": "en", "today": "2026-03-02",
     "intent": "cancel_booking"},
]  # fmt: skip


def test_the_model_reads_every_row_and_the_report_adds_tokens_and_cost(
    openai_server: OpenAiServer, openai_model: ScriptedModel, tmp_path: Path
) -> None:
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in ROWS))
    openai_model.script(
        Reply(content=json.dumps({"intent": "book", "confidence": 0.9, "adults": 2})),
        Reply(
            content=json.dumps({"intent": "faq", "confidence": 0.9, "faq_topics": ["breakfast"]})
        ),
        Fail(500),  # this row falls back to the offline rules
    )
    settings = LlmSettings(
        provider=LlmProviderKind.OPENAI, base_url=openai_server.base_url, api_key="sk-test",
        timeout_seconds=20, max_retries=0,
    )  # fmt: skip
    reader = LlmReader(settings)
    try:
        report = evaluate(data, reader=reader) | {"llm": reader.report()}
    finally:
        reader.close()
    assert report["intent_accuracy"] == 1.0
    assert report["faq_top1_accuracy"] == 1.0
    assert report["slots"]["adults"]["f1"] == 1.0
    assert report["llm"]["calls"] == 3
    assert report["llm"]["failures_answered_offline"] == 1
    assert report["llm"]["prompt_tokens"] > 0
    assert float(report["llm"]["estimated_cost_usd"]) > 0
    assert len(openai_model.requests) == 3
