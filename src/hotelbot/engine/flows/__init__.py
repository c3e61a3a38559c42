"""Deterministic flows: pick one per turn from the understanding and the state, run its step.

A step is `async (ctx, state, understanding) -> Decision`; it may change `state` (its own copy)
and call `ctx.tools`. Multi-turn flows (booking, manage, service) keep `state.flow` set between
turns and get every answer until they end — except an opt-out, a request for a human, a
complaint, or a question: a question is answered by the FAQ flow and the active flow then asks
its pending question again (its module's `reprompt(ctx, state, language) -> list[Speech]`).
Words naming another request ("I want to book a room") switch flows; details alone ("from
09/01 to 12/01", "3 adults") are the answer the active flow is waiting for.

Not understood: the first time the guest gets the menu and is asked to rephrase, the second
time in a row (or a complaint) staff take over.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from types import ModuleType

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Menu, Say, Speech
from hotelbot.engine.flows import faq, handoff, media, opt_out, small_talk
from hotelbot.engine.flows.handoff import hand_over
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

Step = Callable[[TurnContext, ConversationState, Understanding], Awaitable[Decision]]
Reprompt = Callable[[TurnContext, ConversationState, str], Awaitable[list[Speech]]]


def _optional(name: str) -> ModuleType | None:
    """A multi-turn flow module, when it exists in this tree (they land one by one)."""
    try:
        return importlib.import_module(f"hotelbot.engine.flows.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"hotelbot.engine.flows.{name}":
            raise
        return None


#: Flows that span several turns, by name; only those whose module exists.
MULTI_TURN: dict[str, ModuleType] = {
    name: module
    for name in ("booking", "manage", "service")
    if (module := _optional(name)) is not None
}


async def rephrase(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    """First miss: show what the bot can do and ask again (a second miss hands over)."""
    return Decision("rephrase", understanding.language, [Menu("rephrase.prompt")])


async def frustrated(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    return await hand_over(
        ctx,
        state,
        understanding.language,
        key="handoff.frustration",
        reason=HandoffReason.FRUSTRATION,
    )


async def lost(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    reason = (
        HandoffReason.LOW_CONFIDENCE
        if understanding.low_confidence
        else HandoffReason.NOT_UNDERSTOOD
    )
    return await hand_over(ctx, state, understanding.language, key="handoff.unknown", reason=reason)


async def question_in_flow(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    """Answer a question asked in the middle of a flow, then ask the flow's question again."""
    active = state.flow
    decision = await faq.step(ctx, state, understanding)
    handed_over = any(isinstance(s, Say) and s.key in _HANDOFF_KEYS for s in decision.speech)
    module = MULTI_TURN.get(active or "")
    if handed_over or module is None:
        state.end_flow()
        return decision
    again: Reprompt | None = getattr(module, "reprompt", None)
    if again is not None:
        decision.speech.extend(await again(ctx, state, understanding.language))
    return decision


_HANDOFF_KEYS = frozenset({"faq.missing", "handoff.unknown"})

FLOWS: dict[str, Step] = {
    "small_talk": small_talk.step,
    "faq": faq.step,
    "handoff": handoff.step,
    "opt_out": opt_out.step,
    "media": media.step,
    "rephrase": rephrase,
    "frustrated": frustrated,
    "lost": lost,
    "question_in_flow": question_in_flow,
    **{name: module.step for name, module in MULTI_TURN.items()},
}


def _flow(name: str) -> str:
    """`name` when its module exists, else staff take the request (until the flow lands)."""
    return name if name in FLOWS else "handoff"


_BY_INTENT: dict[Intent, str] = {
    Intent.GREETING: "small_talk",
    Intent.THANKS: "small_talk",
    Intent.GOODBYE: "small_talk",
    Intent.HELP: "small_talk",
    Intent.AFFIRM: "small_talk",
    Intent.NEGATE: "small_talk",
    Intent.BOT_QUESTION: "small_talk",
    Intent.FAQ: "faq",
    Intent.HANDOFF: "handoff",
    Intent.COMPLAINT: "frustrated",
    Intent.BOOK: _flow("booking"),
    Intent.MODIFY_BOOKING: _flow("manage"),
    Intent.CANCEL_BOOKING: _flow("manage"),
    Intent.BOOKING_STATUS: _flow("manage"),
    Intent.SERVICE_REQUEST: _flow("service"),
    Intent.UNKNOWN: "rephrase",
    Intent.OPT_OUT: "opt_out",
    Intent.OPT_IN: "opt_out",
}
#: Intents that always win over an active flow.
_INTERRUPTS = frozenset({Intent.OPT_OUT, Intent.OPT_IN, Intent.HANDOFF, Intent.COMPLAINT})
#: Intents that leave an active flow for another multi-turn flow. Booking keeps "change" and
#: "cancel" for itself ("actually 3 adults", "cancel that"); the others start over on "book".
_SWITCHES: dict[str, frozenset[Intent]] = {
    "booking": frozenset({Intent.SERVICE_REQUEST}),
    "manage": frozenset({Intent.BOOK, Intent.SERVICE_REQUEST}),
    "service": frozenset({Intent.BOOK, Intent.MODIFY_BOOKING, Intent.CANCEL_BOOKING}),
}


def select_flow(state: ConversationState, understanding: Understanding) -> str:
    if understanding.input_kind not in ("text", "choice"):
        return "media"
    intent = understanding.intent
    if intent in _INTERRUPTS:
        return _BY_INTENT[intent]
    if state.flow in FLOWS:
        return _in_flow(state.flow, understanding)
    if intent is Intent.UNKNOWN and state.failures >= 1:
        return "lost"
    return _BY_INTENT[intent]


def _in_flow(active: str, understanding: Understanding) -> str:
    intent = understanding.intent
    if intent is Intent.FAQ and understanding.faq_topics and understanding.choice is None:
        return "question_in_flow"
    target = _BY_INTENT[intent]
    # The active flow asked something: details alone ("from 09/01 to 12/01") answer it even
    # though on their own they would start a booking; only words naming a request switch.
    switch = intent in _SWITCHES.get(active, frozenset()) and not understanding.inferred
    if switch and target in FLOWS:
        return target
    return active
