"""The scripted model behind the sandbox's OpenAI-compatible API (`openai_api.py`).

A test (or `POST /sandbox/openai/v1/_script`) queues steps; each chat completion request takes
the next one: a reply (text and/or tool calls), a callable that reads the request and returns a
reply (a model that "reads" tool results), an error with the status OpenAI documents, a slow
answer, or garbage. With nothing queued the model abstains: structured output says it could not
read the message (`intent` unknown, confidence 0) and a chat turn gets an empty answer, so the
engine answers from its offline rules while the whole LLM path (calls, tokens, cost) runs.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Requests kept for assertions (what exactly reached "the model").
MAX_RECORDED = 500


@dataclass(frozen=True)
class Reply:
    content: str | None = None
    #: (function name, arguments as a dict or JSON text)
    tool_calls: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Fail:
    """An error answer: 429 (rate limit), 500, 503, 401, 400 with OpenAI's error body."""

    status: int
    retry_after: float | None = None


@dataclass(frozen=True)
class Slow:
    """Answer `then` after `seconds` (longer than the client's timeout = a slow model)."""

    seconds: float
    then: Step = field(default_factory=Reply)


@dataclass(frozen=True)
class Garbage:
    """A 200 whose body is not a chat completion."""

    body: str = "<html><body>502 Bad Gateway</body></html>"


Step = Reply | Fail | Slow | Garbage | Callable[[dict[str, Any]], "Reply"]


class ScriptedModel:
    """The sandbox model's state: queued steps, a standing fault, and every request seen."""

    def __init__(self) -> None:
        self._steps: deque[Step] = deque()
        self.requests: deque[dict[str, Any]] = deque(maxlen=MAX_RECORDED)
        #: Applied to every request while set (a model that is down, slow or broken).
        self.standing: Fail | Slow | Garbage | None = None

    def script(self, *steps: Step) -> None:
        """Replace what the next requests get, in order."""
        self._steps = deque(steps)

    def pending(self) -> int:
        return len(self._steps)

    def reset(self) -> None:
        self._steps.clear()
        self.requests.clear()
        self.standing = None

    def next_step(self, request: dict[str, Any]) -> Step:
        self.requests.append(request)
        if self.standing is not None:
            return self.standing
        if not self._steps:
            return abstain(request)
        step = self._steps.popleft()
        if isinstance(step, Reply | Fail | Slow | Garbage):
            return step
        return step(request)


def abstain(request: dict[str, Any]) -> Reply:
    """The unscripted model: it reads nothing and says nothing the engine could use."""
    if (request.get("response_format") or {}).get("type") == "json_schema":
        return Reply(content='{"intent": "unknown", "confidence": 0}')
    return Reply(content="")


def estimate_tokens(text: str) -> int:
    """About four characters per token, as OpenAI's guidance for English text has it."""
    return math.ceil(len(text) / 4)
