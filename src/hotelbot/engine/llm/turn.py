"""The model's part of a turn: read the messages (structured output), then — between flows —
answer with tools and a phrased reply that must pass the grounding check.

`take_turn` never raises: any `LlmError` ends the model's part, is counted, and hands the turn
to the offline engine (`replies` None), which still answers within the turn. When a write tool
succeeded but the phrased reply was refused, the reply is the template for that write, so the
guest always learns what was done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from hotelbot import metrics
from hotelbot.engine import profile as hotel_profile
from hotelbot.engine.flows.answers import day, money, short_ref
from hotelbot.engine.inbound import GuestMessage
from hotelbot.engine.llm import understand as llm_understand
from hotelbot.engine.llm.errors import LlmBadOutput, LlmError, LlmUngrounded
from hotelbot.engine.llm.grounding import Evidence, ungrounded
from hotelbot.engine.llm.schemas import ChatMessage, ChatRequest
from hotelbot.engine.llm.session import LlmSession
from hotelbot.engine.llm.tools import SPECS, ToolDeps, ToolOutcome, run_tool
from hotelbot.engine.replies import Reply, Text
from hotelbot.engine.texts import render
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent
from hotelbot.pms.schemas import Cancellation, Reservation, ServiceRequest

if TYPE_CHECKING:
    from hotelbot.engine.context import TurnContext
    from hotelbot.engine.state import ConversationState

log = structlog.get_logger(__name__)

#: Read by rules alone, whatever a model thinks: the guest's rights to stop or reach a human.
RULES_FIRST = frozenset({Intent.OPT_OUT, Intent.OPT_IN, Intent.HANDOFF})
LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "de": "German", "fr": "French", "it": "Italian",
    "pt": "Portuguese",
}  # fmt: skip
MAX_REPLY = 4096


@dataclass(frozen=True)
class LlmTurn:
    understanding: Understanding
    #: The model's answer; None = the offline flows answer with `understanding`.
    replies: list[Reply] | None = None
    outcome: str = "offline"


async def take_turn(
    ctx: TurnContext,
    llm: LlmSession,
    state: ConversationState,
    messages: Sequence[GuestMessage],
    offline: Understanding,
) -> LlmTurn:
    understanding = offline
    try:
        if offline.input_kind != "text" or offline.intent in RULES_FIRST:
            return await _end(llm, LlmTurn(offline, outcome="rules"))
        if state.flow is not None and not _unsure(offline):
            # A flow in progress reads its own answers ("from 09/01 to 12/01" answers the
            # dates question); the model helps only where the rules could not read them.
            return await _end(llm, LlmTurn(offline, outcome="rules"))
        understanding = await llm_understand.read(ctx, llm, offline) or offline
        if state.flow is not None or understanding.intent in RULES_FIRST:
            # A flow in progress keeps its own questions and templated answers.
            return await _end(llm, LlmTurn(understanding, outcome="understood"))
        replies = await _answer(ctx, llm, understanding)
    except LlmError as exc:
        log.info("engine.llm.fallback", outcome=exc.outcome, error=type(exc).__name__)
        return await _end(llm, LlmTurn(understanding, outcome=exc.outcome))
    if replies is None:
        return await _end(llm, LlmTurn(understanding, outcome="declined"))
    return await _end(llm, LlmTurn(understanding, replies, outcome="answered"))


def _unsure(offline: Understanding) -> bool:
    return offline.intent is Intent.UNKNOWN or offline.low_confidence


async def _end(llm: LlmSession, turn: LlmTurn) -> LlmTurn:
    metrics.LLM_TURNS.labels(outcome=turn.outcome).inc()
    await llm.finish(turn.outcome)
    return turn


async def _answer(
    ctx: TurnContext, llm: LlmSession, understanding: Understanding
) -> list[Reply] | None:
    """Tool rounds, then a reply that passed the grounding check; None when the model has
    nothing to say. `LlmError` when it fails, or when its reply is refused and nothing was
    done that the guest must hear of."""
    language = understanding.language
    facts = _facts(ctx, language)
    system = llm.prompt(
        "system",
        language,
        hotel=ctx.property.name,
        today=ctx.local_now().date().isoformat(),
        language=language,
        language_name=LANGUAGE_NAMES.get(language, language),
        facts=facts,
    )
    evidence = Evidence(texts=[system_facts(facts)], secret_text=system)
    deps = ToolDeps(
        tools=ctx.tools, message_id=understanding.message_id, language=language, facts=facts
    )
    outcomes: list[ToolOutcome] = []
    conversation: list[ChatMessage] = [
        ChatMessage(role="system", content=system),
        *llm.history,
        ChatMessage(role="user", content=llm.redact(understanding.text)),
    ]
    for _ in range(llm.settings.max_tool_rounds):
        response = await llm.complete(
            ChatRequest(messages=tuple(conversation), tools=SPECS, purpose="reply")
        )
        if not response.tool_calls:
            return _checked(ctx, (response.content or "").strip(), evidence, outcomes, language)
        conversation.append(ChatMessage(role="assistant", tool_calls=response.tool_calls))
        for call in response.tool_calls:
            outcome = await run_tool(deps, call)
            outcomes.append(outcome)
            evidence.add(outcome.name, outcome.content, ok=outcome.ok)
            conversation.append(
                ChatMessage(role="tool", tool_call_id=call.id, content=outcome.content)
            )
    raise LlmBadOutput("the model kept calling tools")


def _checked(
    ctx: TurnContext,
    reply: str,
    evidence: Evidence,
    outcomes: list[ToolOutcome],
    language: str,
) -> list[Reply] | None:
    if not reply:
        return _templated(ctx, outcomes, language) or None
    problems = ungrounded(reply, evidence)
    if not problems:
        return [Text(body=reply[:MAX_REPLY])]
    for kind in problems:
        metrics.LLM_UNGROUNDED.labels(kind=kind).inc()
    log.info("engine.llm.ungrounded", kinds=problems)
    templated = _templated(ctx, outcomes, language)
    if templated:
        return templated
    raise LlmUngrounded(f"reply not grounded: {', '.join(problems)}")


def _templated(ctx: TurnContext, outcomes: list[ToolOutcome], language: str) -> list[Reply]:
    """The engine's own texts for what the tools did this turn (newest write first)."""
    hotel = ctx.property.name
    for outcome in reversed(outcomes):
        value = outcome.value
        if not outcome.ok or value is None:
            continue
        if isinstance(value, Reservation) and outcome.name in ("book_room", "change_booking"):
            params = {
                "reference": value.reference,
                "total": money(value.total, value.currency, language),
                "check_in": day(value.check_in, language),
                "check_out": day(value.check_out, language),
                "nights": str((value.check_out - value.check_in).days),
            }
            return [Text(body=render(language, "booking.confirmed", hotel=hotel, **params))]
        if isinstance(value, Cancellation):
            params = {
                "reference": value.reference,
                "fee": money(value.fee, value.currency, language),
                "refund": money(value.refund, value.currency, language),
            }
            return [Text(body=render(language, "manage.cancelled", hotel=hotel, **params))]
        if isinstance(value, ServiceRequest):
            reference = short_ref(value.id)
            return [
                Text(body=render(language, "service.created", hotel=hotel, reference=reference))
            ]
        if outcome.name == "hand_over":
            return [Text(body=render(language, "handoff.requested", hotel=hotel))]
    return []


def _facts(ctx: TurnContext, language: str) -> dict[str, str]:
    profile = ctx.property.profile
    default = ctx.property.default_language
    answers = {
        topic: hotel_profile.answer(profile, topic, language, default_language=default)
        for topic in hotel_profile.topics_answered(profile)
    }
    return {topic: text for topic, text in answers.items() if text}


def system_facts(facts: dict[str, str]) -> str:
    return "\n".join(f"{topic}: {text}" for topic, text in facts.items())
