"""`LangChainProvider`: any LangChain chat model, named by import path (`module:Class`) and
built with `llm.langchain_kwargs` — the extra `hotelbot[langchain]` installs LangChain's core
and its OpenAI integration (`langchain_openai:ChatOpenAI`).

Tools are bound with `bind_tools` in OpenAI's function format and structured output with
`response_format`; the answer (`AIMessage`) is read back into our `ChatResponse`, usage from
its `usage_metadata`. Every failure is an `LlmError`, behind the same circuit breaker as the
OpenAI provider.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any

from hotelbot.engine.llm.errors import LlmBadOutput, LlmError, LlmTimeout, LlmUnavailable
from hotelbot.engine.llm.provider import CallGuard
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest, ChatResponse, ToolCall, Usage
from hotelbot.settings import LlmSettings


class LangChainProvider:
    def __init__(self, model: Any, settings: LlmSettings, *, name: str = "langchain") -> None:
        self.name = name
        self._model = model
        self._timeout = settings.timeout_seconds
        self._guard = CallGuard(name, settings)

    @classmethod
    def from_settings(cls, settings: LlmSettings) -> LangChainProvider:
        module_name, _, class_name = settings.langchain_model.partition(":")
        try:
            chat_class = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError) as exc:
            raise RuntimeError(
                f"llm.langchain_model {settings.langchain_model!r} cannot be imported; "
                "install the extra: pip install 'hotelbot[langchain]'"
            ) from exc
        return cls(chat_class(**settings.langchain_kwargs), settings)

    async def aclose(self) -> None:
        return None

    async def complete(self, request: ChatRequest, *, model: str = "") -> ChatResponse:
        return await self._guard.run(request, lambda: self._call(request))

    async def _call(self, request: ChatRequest) -> ChatResponse:
        runnable = self._model
        if request.tools:
            runnable = runnable.bind_tools(
                [
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
            )
        if request.response_schema is not None:
            schema = request.response_schema
            runnable = runnable.bind(
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema.name, "schema": schema.schema_},
                }
            )
        try:
            async with asyncio.timeout(request.timeout or self._timeout):
                answer = await runnable.ainvoke(_messages(request.messages))
        except TimeoutError as exc:
            raise LlmTimeout("the model did not answer in time") from exc
        except LlmError:
            raise
        except Exception as exc:
            # LangChain wraps each vendor's errors differently; all mean "no answer".
            raise LlmUnavailable(f"the model failed: {type(exc).__name__}") from exc
        return _response(answer)


def _messages(messages: tuple[ChatMessage, ...]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    converted: list[Any] = []
    for m in messages:
        if m.role == "system":
            converted.append(SystemMessage(content=m.content or ""))
        elif m.role == "user":
            converted.append(HumanMessage(content=m.content or ""))
        elif m.role == "tool":
            converted.append(
                ToolMessage(content=m.content or "", tool_call_id=m.tool_call_id or "")
            )
        else:
            calls = [
                {"name": c.name, "args": json.loads(c.arguments or "{}"), "id": c.id}
                for c in m.tool_calls
            ]
            converted.append(AIMessage(content=m.content or "", tool_calls=calls))
    return converted


def _response(answer: Any) -> ChatResponse:
    try:
        calls = tuple(
            ToolCall(
                id=str(c.get("id") or f"call_{i}"), name=c["name"], arguments=json.dumps(c["args"])
            )
            for i, c in enumerate(getattr(answer, "tool_calls", None) or [])
        )
        content = answer.content if isinstance(answer.content, str) else None
        meta = getattr(answer, "usage_metadata", None) or {}
        return ChatResponse(
            content=content,
            tool_calls=calls,
            usage=Usage(
                prompt_tokens=int(meta.get("input_tokens", 0)),
                completion_tokens=int(meta.get("output_tokens", 0)),
            ),
            model=str((getattr(answer, "response_metadata", None) or {}).get("model_name", "")),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise LlmBadOutput("the model's answer could not be read") from exc
