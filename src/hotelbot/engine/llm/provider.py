"""`LlmProvider`, the one interface every model sits behind, and `provider_from(settings)`.

A provider turns a `ChatRequest` into a `ChatResponse` or raises an `LlmError`; it keeps its
own connection pool and circuit breaker and is built once per process (`Resources`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from hotelbot import metrics
from hotelbot.engine.llm.errors import LlmBadOutput, LlmError, LlmUnavailable
from hotelbot.engine.llm.schemas import ChatRequest, ChatResponse
from hotelbot.pms.client import CircuitBreaker
from hotelbot.settings import LlmProviderKind, LlmSettings


class LlmProvider(Protocol):
    #: Metric label ("openai", "azure", "sandbox", "langchain", "scripted").
    name: str

    async def complete(self, request: ChatRequest, *, model: str = "") -> ChatResponse:
        """One model call (tools and a JSON schema when the request has them); `model`
        overrides the configured one (per-property choice)."""
        ...

    async def aclose(self) -> None: ...


class CallGuard:
    """What every provider does around a call: fail fast while the circuit is open, count the
    outcome and latency, and open the circuit after repeated failures (bad output from a
    model that answered does not count: the endpoint is up)."""

    def __init__(self, name: str, settings: LlmSettings) -> None:
        self.name = name
        self.breaker = CircuitBreaker(
            failures=settings.breaker_failures, cooldown_seconds=settings.breaker_cooldown_seconds
        )

    async def run(
        self, request: ChatRequest, call: Callable[[], Awaitable[ChatResponse]]
    ) -> ChatResponse:
        if self.breaker.state == "open":
            metrics.LLM_REQUESTS.labels(self.name, request.purpose, "circuit_open").inc()
            raise LlmUnavailable("the model is unavailable (circuit open)")
        started = time.perf_counter()
        outcome = "ok"
        try:
            response = await call()
        except LlmError as exc:
            outcome = exc.outcome
            if not isinstance(exc, LlmBadOutput):
                self.breaker.record_failure()
            raise
        finally:
            metrics.LLM_REQUESTS.labels(self.name, request.purpose, outcome).inc()
            metrics.LLM_LATENCY.labels(self.name, request.purpose).observe(
                time.perf_counter() - started
            )
        self.breaker.record_success()
        return response


def provider_from(
    settings: LlmSettings,
    *,
    base_url: str = "",
) -> LlmProvider | None:
    """The configured provider, or None for the offline engine alone.

    `base_url` is this deployment's own root, where the sandbox's model is mounted.
    """
    kind = settings.provider
    if kind is LlmProviderKind.NONE:
        return None
    if kind is LlmProviderKind.LANGCHAIN:
        from hotelbot.engine.llm.langchain import LangChainProvider

        return LangChainProvider.from_settings(settings)
    from hotelbot.engine.llm.openai import OpenAiProvider

    if kind is LlmProviderKind.SANDBOX:
        sandbox = settings.model_copy(
            update={"base_url": settings.base_url or f"{base_url.rstrip('/')}/sandbox/openai/v1"}
        )
        return OpenAiProvider.from_settings(sandbox, name="sandbox")
    return OpenAiProvider.from_settings(settings, name=kind.value)
