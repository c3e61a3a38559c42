"""`handle_turn()`: guest messages in, new state and replies out — the engine's front door.

understand (language, intent, topics) → select a flow → the flow decides and acts through
`ctx.tools` → compose replies in the guest's language. No database access happens here; the
caller (the worker job) loads the context, saves `TurnResult.state`, stores the replies, and
skips the turn entirely while the conversation is in human mode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog

from hotelbot import metrics
from hotelbot.engine.compose import compose
from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision
from hotelbot.engine.flows import FLOWS, MULTI_TURN, select_flow, voice
from hotelbot.engine.inbound import GuestMessage
from hotelbot.engine.replies import Reply, Text
from hotelbot.engine.state import ConversationState
from hotelbot.engine.texts import render
from hotelbot.engine.understand import Understanding, understand
from hotelbot.engine.understand.intents import Intent
from hotelbot.kit.cpu import OverBudget
from hotelbot.kit.redact import has_masked_card_details, strip_masked_card_details

log = structlog.get_logger(__name__)

#: Flow label when nothing was said: no messages, or an opted-out guest.
SILENT = "silent"
#: Flow label of a turn the model answered (tools and a grounded reply).
LLM_FLOW = "llm"
#: Flow label of a turn whose understanding overran its budget.
OVER_BUDGET = "over_budget"
#: Flow label of a turn that only warned about card details sent in chat.
CARD_DETAILS = "card_details"


@dataclass(frozen=True)
class TurnResult:
    #: The new `conversations.state`, JSON-ready.
    state: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    #: The flow that ran, for `hotelbot_turn_duration_seconds{flow}`.
    flow: str = SILENT
    #: The guest spoke (a transcribed voice note): the job may add a voice note of the replies.
    spoken: bool = False
    #: The language the replies are in.
    language: str | None = None


async def handle_turn(
    ctx: TurnContext,
    state: ConversationState | dict[str, Any] | None,
    messages: Sequence[GuestMessage],
) -> TurnResult:
    """Answer a burst of messages from one guest as one turn.

    Side effects only through `ctx.tools` (handoff, opt-out). An opted-out guest gets no
    reply unless they opt back in.
    """
    current = (
        state.model_copy(deep=True)
        if isinstance(state, ConversationState)
        else ConversationState.from_json(state)
    )
    if not messages:
        return TurnResult(state=current.to_json())
    # A message with card details (masked by the inbox) is answered with a warning only: what
    # else it says is not acted on, so a masked number can never become a name or a detail.
    safe = [m for m in messages if not has_masked_card_details(m.text)]
    carded = len(safe) < len(messages)
    try:
        understanding = await understand(ctx, current, safe or [_unmasked(m) for m in messages])
    except OverBudget:
        return _over_budget(ctx, current)
    if _silenced(ctx, current, understanding):
        return TurnResult(state=current.to_json())
    if not safe:
        return _card_details_only(ctx, current, understanding)
    if current.unconfirmed_speech is not None:
        words, current.unconfirmed_speech = current.unconfirmed_speech, None
        answer = voice.confirmed(safe, understanding)
        if answer is False:
            decision = voice.say_again(understanding)
            return _finish(ctx, current, understanding, decision, carded=carded)
        if answer:
            safe = [voice.replayed(words, understanding.language, safe[-1])]
            understanding = await understand(ctx, current, safe)
    if voice.needs_confirmation(current, understanding, threshold=ctx.voice_confirm_below):
        decision = voice.read_back(current, understanding)
        return _finish(ctx, current, understanding, decision, carded=carded)
    if ctx.llm is not None:
        from hotelbot.engine.llm.turn import take_turn

        answered = await take_turn(ctx, ctx.llm, current, safe, understanding)
        understanding = answered.understanding
        if answered.replies is not None:
            replies = answered.replies
            if carded:
                replies = [_card_warning(ctx, understanding.language), *replies]
            return _llm_result(current, understanding, replies)
    flow = select_flow(current, understanding)
    if flow in MULTI_TURN and current.flow != flow:
        # Starting (or switching to) a multi-turn flow: it begins with empty flow data.
        current.end_flow()
    decision = await FLOWS[flow](ctx, current, understanding)
    return _finish(ctx, current, understanding, decision, carded=carded)


def _finish(
    ctx: TurnContext,
    current: ConversationState,
    understanding: Understanding,
    decision: Decision,
    *,
    carded: bool = False,
) -> TurnResult:
    """Remember the turn and compose its replies (after the card warning, when one is due)."""
    _remember(current, understanding, decision)
    # References proven this turn (reference + surname) stay usable in later turns.
    current.verified_refs = sorted(set(current.verified_refs) | ctx.tools.verified_references())
    replies = compose(ctx, decision)
    if carded:
        replies.insert(0, _card_warning(ctx, decision.language))
    metrics.TURN_INTENTS.labels(intent=understanding.intent.value, language=decision.language).inc()
    log.info(
        "engine.turn.done",
        flow=decision.flow,
        intent=understanding.intent.value,
        language=decision.language,
        language_source=understanding.language_source,
        input_kind=understanding.input_kind,
        replies=len(replies),
    )
    return TurnResult(
        state=current.to_json(),
        replies=replies,
        flow=decision.flow,
        spoken=understanding.spoken,
        language=decision.language,
    )


def _llm_result(
    state: ConversationState, understanding: Understanding, replies: list[Reply]
) -> TurnResult:
    """The model answered between flows: remember the turn as a flow would."""
    state.turns += 1
    state.failures = 0
    state.last_intent = understanding.intent.value
    state.language = understanding.language
    metrics.TURN_INTENTS.labels(
        intent=understanding.intent.value, language=understanding.language
    ).inc()
    log.info(
        "engine.turn.done", flow=LLM_FLOW, intent=understanding.intent.value, replies=len(replies)
    )
    return TurnResult(
        state=state.to_json(),
        replies=replies,
        flow=LLM_FLOW,
        spoken=understanding.spoken,
        language=understanding.language,
    )


def _card_warning(ctx: TurnContext, language: str) -> Text:
    return Text(body=render(language, "safety.card_details", hotel=ctx.property.name))


def _card_details_only(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> TurnResult:
    if understanding.language_source != "fallback" or state.language is None:
        state.language = understanding.language
    log.info("engine.turn.card_details", language=understanding.language)
    replies: list[Reply] = [_card_warning(ctx, understanding.language)]
    return TurnResult(state=state.to_json(), replies=replies, flow=CARD_DETAILS)


def _unmasked(message: GuestMessage) -> GuestMessage:
    """The message without its masked card details: what is left tells the language."""
    return message.model_copy(update={"text": strip_masked_card_details(message.text)})


def _over_budget(ctx: TurnContext, state: ConversationState) -> TurnResult:
    """A polite fallback in the guest's known language; the state is left as it was."""
    metrics.TURNS_OVER_BUDGET.inc()
    log.warning("engine.turn.over_budget", budget_seconds=ctx.turn_budget_seconds)
    language = state.language or ctx.guest.language or ctx.property.default_language
    body = render(language, "turn.over_budget", hotel=ctx.property.name)
    return TurnResult(state=state.to_json(), replies=[Text(body=body)], flow=OVER_BUDGET)


def _silenced(ctx: TurnContext, state: ConversationState, understanding: Understanding) -> bool:
    opted_out = state.opted_out or ctx.guest.opted_out
    return opted_out and understanding.intent is not Intent.OPT_IN


def _remember(state: ConversationState, understanding: Understanding, decision: Decision) -> None:
    state.turns += 1
    state.last_intent = understanding.intent.value
    if understanding.language_source != "fallback" or state.language is None:
        state.language = decision.language
    if decision.flow in MULTI_TURN:
        return  # a multi-turn flow counts its own misses (an unknown word may be a name)
    understood = understanding.intent is not Intent.UNKNOWN or understanding.input_kind not in (
        "text",
        "choice",
    )
    state.failures = 0 if understood else state.failures + 1
