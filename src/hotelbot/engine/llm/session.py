"""`LlmSession`: the model as one turn may use it — provider, model name, prompts for the
property, the redacted history, the turn's deadline, and the usage it adds up.

Built by `build_turn_context` (only for a property with a provider and budget left) and closed
by the turn with `finish(outcome)`, which records tokens and cost through `recorder`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from hotelbot.engine.llm.errors import LlmTimeout
from hotelbot.engine.llm.provider import LlmProvider
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest, ChatResponse, Usage
from hotelbot.kit.redact import redact
from hotelbot.prompt.defaults import DEFAULTS
from hotelbot.prompt.render import render
from hotelbot.settings import LlmSettings

#: (calls, usage, model, outcome) → persisted by the context builder's recorder.
Recorder = Callable[[int, Usage, str, str], Awaitable[None]]
#: Seconds the offline engine needs after the model gave up (it answers in milliseconds).
OFFLINE_RESERVE = 0.5


@dataclass
class LlmSession:
    provider: LlmProvider
    settings: LlmSettings
    model: str
    #: Template bodies by (name, language); language "*" for every language.
    templates: Mapping[tuple[str, str], str] = field(default_factory=dict)
    history: tuple[ChatMessage, ...] = ()
    recorder: Recorder | None = None
    deadline: float = field(default_factory=lambda: time.monotonic() + 15.0)
    usage: Usage = field(default_factory=Usage)
    calls: int = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic() - OFFLINE_RESERVE

    def prompt(self, name: str, language: str, /, **variables: object) -> str:
        """The property's template `name` in `language` (or for every language, or the
        default), rendered in the sandbox with redacted values."""
        body = (
            self.templates.get((name, language))
            or self.templates.get((name, "*"))
            or DEFAULTS[name].body
        )
        return render(body, variables)

    @staticmethod
    def redact(text: str) -> str:
        return redact(text)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        """One call within what is left of the turn's budget; usage is added up."""
        left = self.remaining()
        if left <= 0:
            raise LlmTimeout("the turn's model budget is spent")
        self.calls += 1
        # Whatever built the request, no secret a guest typed leaves for the model.
        messages = tuple(
            m.model_copy(update={"content": redact(m.content)}) if m.content else m
            for m in request.messages
        )
        response = await self.provider.complete(
            request.model_copy(update={"timeout": left, "messages": messages}), model=self.model
        )
        self.usage = self.usage + response.usage
        return response

    async def finish(self, outcome: str) -> None:
        if self.recorder is not None and self.calls:
            await self.recorder(self.calls, self.usage, self.model, outcome)
