"""Understanding by structured output: the model reads the turn into the same `Understanding`
the offline engine produces, through a JSON schema validated by Pydantic.

Output that is not JSON, does not validate, or abstains (`unknown` at confidence 0) raises
`LlmBadOutput` / returns None, and the offline reading stands for that turn.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotelbot.engine.llm.errors import LlmBadOutput
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest, ResponseSchema
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.faq import TOPICS
from hotelbot.engine.understand.intents import Intent
from hotelbot.engine.understand.slots import Slots

if TYPE_CHECKING:
    from hotelbot.engine.context import TurnContext
    from hotelbot.engine.llm.session import LlmSession

Language = StrEnum("Language", {code: code for code in ("en", "es", "de", "fr", "it", "pt")})  # type: ignore[misc]
Topic = StrEnum("Topic", {topic: topic for topic in TOPICS})  # type: ignore[misc]
_ACTS = frozenset({"affirm", "negate", "thanks", "goodbye", "greeting"})


class Reading(BaseModel):
    """What the model must return; every field is checked before the engine acts on it."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    language: Language | None = None
    intent: Intent
    confidence: float = Field(ge=0, le=1)
    check_in: dt.date | None = None
    check_out: dt.date | None = None
    nights: int | None = Field(None, ge=1, le=30)
    adults: int | None = Field(None, ge=1, le=10)
    children: int | None = Field(None, ge=0, le=10)
    child_ages: list[int] = Field(default_factory=list, max_length=10)
    rooms: int | None = Field(None, ge=1, le=5)
    room_type: str | None = Field(None, max_length=64)
    booking_ref: str | None = Field(None, max_length=64)
    service: str | None = Field(None, max_length=64)
    faq_topics: list[Topic] = Field(default_factory=list, max_length=3)


SCHEMA = ResponseSchema(name="guest_message_reading", schema=Reading.model_json_schema())


async def read(ctx: TurnContext, llm: LlmSession, offline: Understanding) -> Understanding | None:
    """The model's reading of the turn, or None when it abstains. `LlmError` on failure."""
    system = llm.prompt(
        "understand",
        offline.language,
        hotel=ctx.property.name,
        today=ctx.local_now().date().isoformat(),
        languages=list(ctx.property.languages),
    )
    request = ChatRequest(
        messages=(
            ChatMessage(role="system", content=system),
            *llm.history,
            ChatMessage(role="user", content=llm.redact(offline.text)),
        ),
        response_schema=SCHEMA,
        purpose="understand",
    )
    response = await llm.complete(request)
    try:
        reading = Reading.model_validate(json.loads(response.content or ""))
    except (ValueError, ValidationError) as exc:
        raise LlmBadOutput("the model's reading does not match the schema") from exc
    if reading.intent is Intent.UNKNOWN and reading.confidence == 0:
        return None
    return _understanding(ctx, reading, offline)


def _understanding(ctx: TurnContext, reading: Reading, offline: Understanding) -> Understanding:
    language = str(reading.language.value) if reading.language else offline.language
    if language not in ctx.property.languages:
        language = offline.language
    found = Slots(
        check_in=reading.check_in,
        check_out=reading.check_out,
        nights=reading.nights,
        adults=reading.adults,
        children=reading.children,
        child_ages=tuple(reading.child_ages),
        rooms=reading.rooms,
        room_type=reading.room_type,
        booking_ref=reading.booking_ref,
    )
    # What the model left out, the rules may have read ("2 adults" in a long message).
    slots = replace(
        found,
        **{
            name: getattr(offline.slots, name)
            for name in ("check_in", "check_out", "nights", "adults", "children", "rooms")
            if getattr(found, name) is None and getattr(offline.slots, name) is not None
        },
    )
    intent = reading.intent
    return replace(
        offline,
        language=language,
        intent=intent,
        confidence=reading.confidence,
        faq_topics=tuple(str(t.value) for t in reading.faq_topics) if intent is Intent.FAQ else (),
        slots=slots,
        service=reading.service or offline.service,
        acts=offline.acts | ({intent.value} & _ACTS),
        language_source="llm",
        low_confidence=False,
        inferred=False,
    )
