"""Deterministic flows: pick one per turn from the understanding and the state, run its step.

A step is `async (ctx, state, understanding) -> Decision`; it may change `state` (its own copy)
and call `ctx.tools`. Issue 4 adds multi-turn flows (booking, change, cancel, service request)
that keep `state.flow` set between turns; `select_flow` then continues them unless the guest
opts out or asks for a human.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision
from hotelbot.engine.flows import faq, handoff, media, opt_out, small_talk
from hotelbot.engine.state import ConversationState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

Step = Callable[[TurnContext, ConversationState, Understanding], Awaitable[Decision]]

FLOWS: dict[str, Step] = {
    "small_talk": small_talk.step,
    "faq": faq.step,
    "handoff": handoff.step,
    "opt_out": opt_out.step,
    "media": media.step,
}

_BY_INTENT: dict[Intent, str] = {
    Intent.GREETING: "small_talk",
    Intent.THANKS: "small_talk",
    Intent.GOODBYE: "small_talk",
    Intent.HELP: "small_talk",
    Intent.FAQ: "faq",
    Intent.HANDOFF: "handoff",
    Intent.BOOK: "handoff",
    Intent.UNKNOWN: "handoff",
    Intent.OPT_OUT: "opt_out",
    Intent.OPT_IN: "opt_out",
}


def select_flow(state: ConversationState, understanding: Understanding) -> str:
    if understanding.input_kind not in ("text", "choice"):
        return "media"
    if state.flow in FLOWS and understanding.intent not in (Intent.OPT_OUT, Intent.HANDOFF):
        return state.flow
    return _BY_INTENT[understanding.intent]
