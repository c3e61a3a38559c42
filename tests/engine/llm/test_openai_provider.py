"""`OpenAiProvider`: the official SDK against the sandbox server — errors become `LlmError`s,
429/5xx are retried, and the circuit breaker stops calling a failing endpoint."""

from __future__ import annotations

import pytest

from hotelbot.engine.llm.errors import LlmBadOutput, LlmTimeout, LlmUnavailable
from hotelbot.engine.llm.history import bound
from hotelbot.engine.llm.openai import OpenAiProvider
from hotelbot.engine.llm.provider import provider_from
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest
from hotelbot.sandbox.openai_model import Fail, Garbage, Reply, ScriptedModel, Slow
from hotelbot.settings import LlmProviderKind, LlmSettings
from tests.llm_server import OpenAiServer

HI = ChatRequest(messages=(ChatMessage(role="user", content="hi"),))


def _provider(base_url: str, **overrides: object) -> OpenAiProvider:
    options: dict[str, object] = {
        "provider": LlmProviderKind.OPENAI,
        "base_url": base_url,
        "api_key": "sk-test",
        "timeout_seconds": 20.0,
        "max_retries": 0,
    }
    return OpenAiProvider.from_settings(LlmSettings(**(options | overrides)))  # type: ignore[arg-type]


async def test_429_and_503_are_retried_with_backoff(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Fail(429, retry_after=0), Fail(503, retry_after=0), Reply(content="ok"))
    provider = _provider(openai_server.base_url, max_retries=2)
    response = await provider.complete(HI)
    assert response.content == "ok"
    assert len(openai_model.requests) == 3


@pytest.mark.parametrize(
    ("step", "error"),
    [(Fail(500), LlmUnavailable), (Fail(401), LlmUnavailable), (Garbage(), LlmBadOutput)],
)
async def test_failures_are_llm_errors(
    openai_server: OpenAiServer, openai_model: ScriptedModel, step: object, error: type
) -> None:
    openai_model.script(step)  # type: ignore[arg-type]
    with pytest.raises(error):
        await _provider(openai_server.base_url).complete(HI)


async def test_a_slow_model_is_a_timeout(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Slow(3.0))
    with pytest.raises(LlmTimeout):
        await _provider(openai_server.base_url).complete(HI.model_copy(update={"timeout": 0.3}))


async def test_the_breaker_opens_after_repeated_failures(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.standing = Fail(503)
    provider = _provider(openai_server.base_url, breaker_failures=2, breaker_cooldown_seconds=60)
    for _ in range(2):
        with pytest.raises(LlmUnavailable):
            await provider.complete(HI)
    with pytest.raises(LlmUnavailable, match="circuit open"):
        await provider.complete(HI)
    assert len(openai_model.requests) == 2  # the third call never left the process


async def test_a_server_that_is_down_is_unavailable(dead_url: str) -> None:
    with pytest.raises(LlmUnavailable):
        await _provider(dead_url).complete(HI)


def test_history_keeps_the_newest_messages_that_fit() -> None:
    history = [ChatMessage(role="user", content=f"{n} " + "x" * 40) for n in range(10)]
    kept = bound(history, tokens=40)
    assert [m.content.split()[0] for m in kept if m.content] == ["7", "8", "9"]


async def test_azure_openai_goes_through_the_deployment_url_with_an_api_key(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Reply(content="hola"))
    settings = LlmSettings(
        provider=LlmProviderKind.AZURE,
        base_url=openai_server.base_url + "/azure",
        api_version="2024-10-21",
        api_key="azure-key",
        model="concierge-gpt4o",
        timeout_seconds=20.0,
    )
    provider = provider_from(settings)
    assert provider is not None and provider.name == "azure"
    response = await provider.complete(HI)
    assert response.content == "hola"
    assert openai_model.requests[0]["model"] == "concierge-gpt4o"
    await provider.aclose()
