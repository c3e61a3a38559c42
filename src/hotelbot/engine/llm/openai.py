"""`OpenAiProvider`: the official `openai` SDK against any OpenAI-compatible endpoint.

One code path for OpenAI, Azure OpenAI (`AsyncAzureOpenAI`: endpoint + api-version) and open
models behind OpenAI-compatible servers (vLLM, Ollama, llama.cpp server, LiteLLM). The SDK
retries connection errors, 408, 409, 429 and 5xx `max_retries` times with exponential backoff
(honouring `retry-after`); on top of that a circuit breaker fails fast while the endpoint is
down, and every call is bounded by the turn's remaining budget. Every failure is an `LlmError`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import structlog

from hotelbot.engine.llm.errors import LlmBadOutput, LlmTimeout, LlmUnavailable
from hotelbot.engine.llm.provider import CallGuard
from hotelbot.engine.llm.schemas import (
    ChatMessage,
    ChatRequest,
    ChatResponse,
    ToolCall,
    Usage,
)
from hotelbot.settings import LlmSettings

log = structlog.get_logger(__name__)


class OpenAiProvider:
    def __init__(self, client: openai.AsyncOpenAI, settings: LlmSettings, *, name: str) -> None:
        self.name = name
        self._client = client
        self._model = settings.model
        self._timeout = settings.timeout_seconds
        self._guard = CallGuard(name, settings)

    @classmethod
    def from_settings(cls, settings: LlmSettings, *, name: str = "openai") -> OpenAiProvider:
        # The SDK reads OPENAI_API_KEY when none is given; a local server needs none.
        key = settings.api_key.get_secret_value() or "unused"
        client: openai.AsyncOpenAI
        if name == "azure":
            client = openai.AsyncAzureOpenAI(
                azure_endpoint=settings.base_url,
                api_version=settings.api_version,
                api_key=key,
                timeout=settings.timeout_seconds,
                max_retries=settings.max_retries,
            )
        else:
            client = openai.AsyncOpenAI(
                base_url=settings.base_url,
                api_key=key,
                timeout=settings.timeout_seconds,
                max_retries=settings.max_retries,
            )
        return cls(client, settings, name=name)

    async def aclose(self) -> None:
        await self._client.close()

    async def complete(self, request: ChatRequest, *, model: str = "") -> ChatResponse:
        return await self._guard.run(request, lambda: self._call(request, model or self._model))

    async def _call(self, request: ChatRequest, model: str) -> ChatResponse:
        budget = min(request.timeout or self._timeout, 600.0)
        try:
            async with asyncio.timeout(budget):
                completion = await self._client.chat.completions.create(
                    **_arguments(request, model), timeout=budget
                )
        except (TimeoutError, openai.APITimeoutError) as exc:
            raise LlmTimeout("the model did not answer in time") from exc
        except openai.APIStatusError as exc:
            log.warning("engine.llm.status", provider=self.name, status=exc.status_code)
            raise LlmUnavailable(f"the model answered {exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise LlmUnavailable("the model could not be reached") from exc
        except (openai.OpenAIError, ValueError, TypeError) as exc:
            # A 200 whose body is not a completion (HTML, truncated JSON, ...).
            raise LlmBadOutput("the model's answer could not be read") from exc
        return _response(completion)


def _arguments(request: ChatRequest, model: str) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "model": model,
        "messages": [_message(m) for m in request.messages],
    }
    if request.tools:
        arguments["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                },
            }
            for t in request.tools
        ]
    if request.response_schema is not None:
        arguments["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": request.response_schema.name,
                "schema": request.response_schema.schema_,
            },
        }
    return arguments


def _message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        out["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in message.tool_calls
        ]
    if message.tool_call_id is not None:
        out["tool_call_id"] = message.tool_call_id
    return out


def _response(completion: Any) -> ChatResponse:
    try:
        choice = completion.choices[0]
        message = choice.message
        calls = tuple(
            ToolCall(id=c.id, name=c.function.name, arguments=c.function.arguments or "{}")
            for c in (message.tool_calls or ())
        )
        usage = completion.usage
        return ChatResponse(
            content=message.content,
            tool_calls=calls,
            usage=Usage(
                prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
                completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            ),
            model=str(completion.model or ""),
            finish_reason=choice.finish_reason,
        )
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise LlmBadOutput("the model's answer is not a chat completion") from exc
