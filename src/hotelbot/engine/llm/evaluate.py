"""`hotelbot eval --llm`: the evaluation sets read by the configured model instead of the
offline rules, through the same structured-output call the engine makes, so a hotel can compare
both on its own data. A failed call counts, and the row falls back to the offline reading, as a
turn would. Tokens and estimated cost are added to the report."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine
from datetime import date
from typing import Any, TypeVar

from pydantic import ValidationError

from hotelbot.engine.llm.errors import LlmError
from hotelbot.engine.llm.provider import LlmProvider, provider_from
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest, Usage
from hotelbot.engine.llm.understand import SCHEMA, Reading
from hotelbot.engine.llm.usage import cost_usd
from hotelbot.engine.understand.classifier import Classification
from hotelbot.engine.understand.intents import Intent
from hotelbot.engine.understand.slots import Slots
from hotelbot.evaluation import read_offline
from hotelbot.kit.redact import redact
from hotelbot.prompt.defaults import DEFAULTS
from hotelbot.prompt.render import render
from hotelbot.settings import LlmSettings

T = TypeVar("T")
LANGUAGES = ["en", "es", "de", "fr", "it", "pt"]
_ACTS = frozenset({"affirm", "negate", "thanks", "goodbye", "greeting"})


class LlmReader:
    """A `Reader` for `evaluation.evaluate` that asks the model; keeps its own event loop in a
    thread so the synchronous evaluation can call it row by row."""

    def __init__(self, settings: LlmSettings, *, base_url: str = "") -> None:
        provider = provider_from(settings, base_url=base_url)
        if provider is None:
            raise ValueError("hotelbot eval --llm needs HOTELBOT_LLM__PROVIDER (docs/llm.md)")
        self._provider: LlmProvider = provider
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.calls = 0
        self.failures = 0
        self.usage = Usage()

    def __call__(self, text: str, *, language: str, today: date) -> tuple[Classification, Slots]:
        self.calls += 1
        try:
            reading = self._run(self._read(text, today))
        except LlmError:
            self.failures += 1
            return read_offline(text, language=language, today=today)
        return _classification(reading), _slots(reading)

    async def _read(self, text: str, today: date) -> Reading:
        system = render(
            DEFAULTS["understand"].body,
            {"hotel": "the hotel", "today": today.isoformat(), "languages": LANGUAGES},
        )
        response = await self._provider.complete(
            ChatRequest(
                messages=(
                    ChatMessage(role="system", content=system),
                    ChatMessage(role="user", content=redact(text)),
                ),
                response_schema=SCHEMA,
                purpose="understand",
                timeout=self._settings.timeout_seconds,
            ),
        )
        self.usage = self.usage + response.usage
        try:
            return Reading.model_validate(json.loads(response.content or ""))
        except (ValueError, ValidationError) as exc:
            raise LlmError("invalid reading") from exc

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def report(self) -> dict[str, Any]:
        return {
            "provider": self._provider.name,
            "model": self._settings.model,
            "calls": self.calls,
            "failures_answered_offline": self.failures,
            "prompt_tokens": self.usage.prompt_tokens,
            "completion_tokens": self.usage.completion_tokens,
            "estimated_cost_usd": str(cost_usd(self.usage, self._settings)),
        }

    def close(self) -> None:
        self._run(self._provider.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def _classification(reading: Reading) -> Classification:
    intent = "out_of_scope" if reading.intent is Intent.UNKNOWN else reading.intent.value
    topics = [str(t.value) for t in reading.faq_topics]
    return Classification(
        intent=intent,
        confidence=reading.confidence,
        faq_topic=topics[0] if topics and intent == "faq" else None,
        service=reading.service,
        acts=frozenset({reading.intent.value}) & _ACTS,
    )


def _slots(reading: Reading) -> Slots:
    return Slots(
        check_in=reading.check_in,
        check_out=reading.check_out,
        nights=reading.nights,
        adults=reading.adults,
        children=reading.children,
        child_ages=tuple(reading.child_ages),
        rooms=reading.rooms,
        room_type=reading.room_type,
        booking_ref=reading.booking_ref,
    )
