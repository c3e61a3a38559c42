"""Hand the conversation to staff: on request, for bookings (until issue 4), or when lost."""

from __future__ import annotations

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Say
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding
from hotelbot.engine.understand.intents import Intent

NAME = "handoff"

_BY_INTENT: dict[Intent, tuple[str, HandoffReason]] = {
    Intent.HANDOFF: ("handoff.requested", HandoffReason.GUEST_REQUEST),
    Intent.BOOK: ("handoff.booking", HandoffReason.BOOKING_REQUEST),
}


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    key, reason = _BY_INTENT.get(
        understanding.intent, ("handoff.unknown", HandoffReason.NOT_UNDERSTOOD)
    )
    return await hand_over(ctx, state, understanding.language, key=key, reason=reason)


async def hand_over(
    ctx: TurnContext, state: ConversationState, language: str, *, key: str, reason: HandoffReason
) -> Decision:
    """Tell the guest staff will follow up, and switch the conversation to human mode."""
    state.end_flow()
    await ctx.tools.request_handoff(reason)
    return Decision(NAME, language, [Say(key)])
