"""Drive one multi-step flow turn by turn, as a guest would, and read what they would see.

Each turn is understood by the real offline classifier; the state goes through JSON between
turns like a stored conversation, and every reply must pass WhatsApp's limits.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import cast

from pydantic import TypeAdapter

from hotelbot.engine.compose import compose
from hotelbot.engine.context import GuestFacts, PropertyFacts, TurnContext
from hotelbot.engine.decision import Decision
from hotelbot.engine.replies import Button, Buttons, ListMessage, Reply, Text
from hotelbot.engine.state import ConversationState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.classifier import classify
from hotelbot.engine.understand.intents import Intent
from hotelbot.property.demo import DEMO_LANGUAGES, DEMO_NAME, DEMO_PROFILE, DEMO_TIMEZONE
from tests.engine.conftest import NOW
from tests.engine.fakes import FakeTools, house_tools

REPLY: TypeAdapter[Reply] = TypeAdapter(Reply)
Step = Callable[[TurnContext, ConversationState, Understanding], Awaitable[Decision]]


@dataclass(frozen=True)
class Heard:
    """What the understander hands a flow: the fields `flows.answers.read` looks at."""

    language: str
    intent: str | Intent
    text: str = ""
    choice_id: str | None = None
    confidence: float = 1.0
    input_kind: str = "text"


@dataclass
class Seen:
    replies: list[Reply]

    @property
    def text(self) -> str:
        parts: list[str] = []
        for reply in self.replies:
            if isinstance(reply, Text | Buttons | ListMessage):
                parts.append(reply.body)
        return "\n".join(parts)

    @property
    def choices(self) -> list[str]:
        ids: list[str] = []
        for reply in self.replies:
            if isinstance(reply, Buttons):
                ids += [b.id for b in reply.buttons]
            if isinstance(reply, ListMessage):
                ids += [row.id for s in reply.sections for row in s.rows]
        return ids

    @property
    def buttons(self) -> list[Button]:
        return [b for r in self.replies if isinstance(r, Buttons) for b in r.buttons]

    @property
    def rows_text(self) -> str:
        return "\n".join(
            f"{row.title} {row.description or ''}"
            for r in self.replies
            if isinstance(r, ListMessage)
            for s in r.sections
            for row in s.rows
        )


@dataclass
class Guest:
    step: Step
    language: str
    tools: FakeTools = field(default_factory=house_tools)
    state: ConversationState = field(default_factory=ConversationState)

    @property
    def ctx(self) -> TurnContext:
        return TurnContext(
            property=PropertyFacts(
                id=uuid.uuid4(),
                name=DEMO_NAME,
                timezone=DEMO_TIMEZONE,
                languages=tuple(DEMO_LANGUAGES),
                default_language="en",
                profile=DEMO_PROFILE,
            ),
            guest=GuestFacts(id=uuid.uuid4(), language=self.language),
            now=NOW,
            tools=self.tools,
        )

    async def says(self, text: str) -> Seen:
        intent = classify(text, language=self.language).intent
        return await self._turn(Heard(self.language, intent, text=text))

    async def presses(self, choice_id: str) -> Seen:
        return await self._turn(
            Heard(self.language, Intent.UNKNOWN, choice_id=choice_id, input_kind="choice")
        )

    async def _turn(self, heard: Heard) -> Seen:
        ctx = self.ctx
        decision = await self.step(ctx, self.state, cast(Understanding, heard))
        assert decision.language == self.language
        replies = compose(ctx, decision)
        for reply in replies:  # every reply survives the channel's limits and JSON
            assert REPLY.validate_json(REPLY.dump_json(reply)) == reply
        # Stored and loaded like a real conversation between turns.
        self.state = ConversationState.from_json(self.state.to_json())
        return Seen(replies)
