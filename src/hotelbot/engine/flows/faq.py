"""Answer questions from the property profile; never from anywhere else.

A topic the profile does not cover is handed to staff rather than guessed. A burst that also
held something not understood is answered, then handed over for the rest.
"""

from __future__ import annotations

from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import Decision, Fact, Say, Speech, TopicList
from hotelbot.engine.profile import has_answer
from hotelbot.engine.state import ConversationState
from hotelbot.engine.tools import HandoffReason
from hotelbot.engine.understand import Understanding

NAME = "faq"


async def step(
    ctx: TurnContext, state: ConversationState, understanding: Understanding
) -> Decision:
    if not understanding.faq_topics:
        return Decision(NAME, understanding.language, [TopicList()])
    known = [t for t in understanding.faq_topics if has_answer(ctx.property.profile, t)]
    speech: list[Speech] = [Fact(topic) for topic in known]
    reason: HandoffReason | None = None
    if len(known) < len(understanding.faq_topics):
        speech.append(Say("faq.missing"))
        reason = HandoffReason.FAQ_MISSING
    elif understanding.unresolved:
        speech.append(Say("handoff.unknown"))
        reason = HandoffReason.NOT_UNDERSTOOD
    if reason is not None:
        await ctx.tools.request_handoff(reason)
    return Decision(NAME, understanding.language, speech)
