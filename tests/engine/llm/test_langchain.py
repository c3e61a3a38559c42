"""A real LangChain chat model (`langchain_openai.ChatOpenAI`, extra `hotelbot[langchain]`)
behind `LangChainProvider`, talking to the sandbox's OpenAI-compatible server over loopback."""

from __future__ import annotations

import json

import pytest

from hotelbot.engine.llm.errors import LlmUnavailable
from hotelbot.engine.llm.langchain import LangChainProvider
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest, ResponseSchema, ToolSpec
from hotelbot.sandbox.openai_model import Reply, ScriptedModel
from hotelbot.settings import LlmProviderKind, LlmSettings
from tests.llm_server import OpenAiServer


@pytest.fixture(autouse=True)
def fresh_langchain_clients() -> None:
    """langchain-openai caches its HTTP client per (base URL, timeout) for the process; a
    process has one event loop, but every test here has its own, so start each with none."""
    from langchain_openai.chat_models import _client_utils

    _client_utils._cached_async_httpx_client.cache_clear()


TOOL = ToolSpec(
    name="check_availability",
    description="Rooms free for a stay.",
    parameters={"type": "object", "properties": {"check_in": {"type": "string"}}},
)


def _provider(base_url: str) -> LangChainProvider:
    settings = LlmSettings(
        provider=LlmProviderKind.LANGCHAIN,
        langchain_model="langchain_openai:ChatOpenAI",
        langchain_kwargs={
            "base_url": base_url,
            "api_key": "sk-test",
            "model": "gpt-4o-mini",
            "max_retries": 0,
            "timeout": 20,
        },
        timeout_seconds=20,
    )
    return LangChainProvider.from_settings(settings)


async def test_tool_calls_come_back_as_our_tool_calls(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Reply(tool_calls=(("check_availability", {"check_in": "2027-03-01"}),)))
    provider = _provider(openai_server.base_url)
    response = await provider.complete(
        ChatRequest(
            messages=(
                ChatMessage(role="system", content="You are a concierge."),
                ChatMessage(role="user", content="A room on 1 March?"),
            ),
            tools=(TOOL,),
        )
    )
    assert [(c.name, json.loads(c.arguments)) for c in response.tool_calls] == [
        ("check_availability", {"check_in": "2027-03-01"})
    ]
    assert response.usage.prompt_tokens > 0
    sent = openai_model.requests[0]
    assert sent["tools"][0]["function"]["name"] == "check_availability"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]


async def test_structured_output_reaches_the_server_as_a_json_schema(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Reply(content='{"intent": "book", "confidence": 0.9}'))
    provider = _provider(openai_server.base_url)
    schema = ResponseSchema(name="reading", schema={"type": "object"})
    response = await provider.complete(
        ChatRequest(messages=(ChatMessage(role="user", content="hi"),), response_schema=schema)
    )
    assert json.loads(response.content or "") == {"intent": "book", "confidence": 0.9}
    assert openai_model.requests[0]["response_format"]["json_schema"]["name"] == "reading"


async def test_a_server_that_is_down_is_an_llm_error(dead_url: str) -> None:
    with pytest.raises(LlmUnavailable):
        await _provider(dead_url).complete(
            ChatRequest(messages=(ChatMessage(role="user", content="hi"),))
        )
