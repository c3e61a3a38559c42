"""What crosses the provider boundary: chat messages, tool specs and calls, usage.

Shaped like OpenAI's Chat Completions, which every supported provider speaks or maps to; the
engine builds and reads only these models, never an SDK's own types.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    # Validation errors would quote guest text into logs.
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class ToolCall(_Frozen):
    id: str
    name: str
    #: The model's arguments as it wrote them: JSON text, validated by the tool, not trusted.
    arguments: str = "{}"


class ChatMessage(_Frozen):
    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


class ToolSpec(_Frozen):
    name: str
    #: Read by the model: what the tool returns and what it never does.
    description: str
    #: JSON Schema of the arguments object.
    parameters: dict[str, Any]


class ResponseSchema(_Frozen):
    """`response_format={"type": "json_schema", ...}`: the reply must be JSON of this schema."""

    name: str
    schema_: dict[str, Any] = Field(alias="schema")


class ChatRequest(_Frozen):
    messages: tuple[ChatMessage, ...]
    tools: tuple[ToolSpec, ...] = ()
    response_schema: ResponseSchema | None = None
    #: What the call is for ("understand", "reply"): a metric label, never sent.
    purpose: str = "reply"
    #: Seconds this call may take at most (the turn's remaining budget).
    timeout: float | None = None


class Usage(_Frozen):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ChatResponse(_Frozen):
    content: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    usage: Usage = Field(default_factory=Usage)
    model: str = ""
    finish_reason: str | None = None
