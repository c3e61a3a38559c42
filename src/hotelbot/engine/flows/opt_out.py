"""Opt-out ("STOP" and its equivalents): confirm once, then the engine stays silent.

Sending "START" opts back in. Both are recorded on the guest through the tools, and in the
state so that the engine knows without a database read.
"""

from __future__ import annotations

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Menu, Say
from hotelbot.engine.state import ConversationState
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

NAME = "opt_out"


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    state.end_flow()
    if understanding.intent is Intent.OPT_IN:
        state.opted_out = False
        await ctx.tools.record_opt_out(False)
        return Decision(NAME, understanding.language, [Menu("optin.confirm")])
    state.opted_out = True
    await ctx.tools.record_opt_out(True)
    return Decision(NAME, understanding.language, [Say("optout.confirm")])
