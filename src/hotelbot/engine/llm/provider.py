"""`LlmProvider`, the one interface every model sits behind, and `provider_from(settings)`.

A provider turns a `ChatRequest` into a `ChatResponse` or raises an `LlmError`; it keeps its
own connection pool and circuit breaker and is built once per process (`Resources`).
"""

from __future__ import annotations

from typing import Protocol

from hotelbot.engine.llm.schemas import ChatRequest, ChatResponse
from hotelbot.settings import LlmProviderKind, LlmSettings


class LlmProvider(Protocol):
    #: Metric label ("openai", "azure", "sandbox", "langchain", "scripted").
    name: str

    async def complete(self, request: ChatRequest, *, model: str = "") -> ChatResponse:
        """One model call (tools and a JSON schema when the request has them); `model`
        overrides the configured one (per-property choice)."""
        ...

    async def aclose(self) -> None: ...


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
