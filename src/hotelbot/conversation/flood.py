"""Guest floods: a guest (or a script holding a leaked number) writing faster than the
`limits.guest` rule gets ONE polite reply in their language, then silence until the window
frees; every refused message counts in `hotelbot_rate_limited_total{scope="guest"}`.

Refused messages are kept (marked processed, visible to staff in the console), never dropped.
The count is per guest id, so a new conversation does not reset it; no phone number is a key.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.conversation import outbox
from hotelbot.engine.replies import Text
from hotelbot.engine.texts import render
from hotelbot.kit.rate_limits import RateLimiter
from hotelbot.models import Conversation, Guest, Message, Property

log = structlog.get_logger(__name__)

NOTICE_KEY = "flood.slow_down"


async def admit(
    session: AsyncSession,
    limiter: RateLimiter,
    conversation: Conversation,
    messages: list[Message],
) -> bool:
    """True when these messages may have a turn; else they are over the guest's limit, and the
    first refusal in the `limits.guest_notice` window queues the notice (the caller enqueues the
    send and marks the messages processed)."""
    guest_key = str(conversation.guest_id)
    decision = await limiter.hit("guest", guest_key, cost=len(messages))
    if decision.allowed:
        return True
    metrics.RATE_LIMITED.labels(scope="guest").inc(len(messages))
    notify = (await limiter.hit("guest_notice", guest_key)).allowed
    if notify:
        notice = Text(body=await _notice_text(session, conversation))
        await outbox.put(session, conversation, [notice], inbound_id=str(messages[-1].id))
        metrics.FLOOD_NOTICES.inc()
    log.info("conversation.flood.limited", messages=len(messages), notice=notify)
    return False


async def _notice_text(session: AsyncSession, conversation: Conversation) -> str:
    """In the language the guest last wrote in, else the hotel's default."""
    guest = await session.get_one(Guest, conversation.guest_id)
    prop = await session.get_one(Property, conversation.property_id)
    state_language = (conversation.state or {}).get("language")
    language = state_language or guest.language or prop.default_language
    return render(str(language), NOTICE_KEY, hotel=prop.name)
