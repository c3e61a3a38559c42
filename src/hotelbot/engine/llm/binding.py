"""`llm_session_for()`: whether this turn may use a model, and the `LlmSession` it would use.

Read by `build_turn_context` (the part of a turn allowed to read the database): the property's
provider choice (`llm.properties[<id or slug>]`), its daily budget against today's spend, its
prompt templates and the conversation's redacted history. None means the offline engine alone.
"""

from __future__ import annotations

import time
from decimal import Decimal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.engine.llm import usage as llm_usage
from hotelbot.engine.llm.history import load_history
from hotelbot.engine.llm.provider import LlmProvider
from hotelbot.engine.llm.schemas import Usage
from hotelbot.engine.llm.session import LlmSession
from hotelbot.models import Conversation, Property
from hotelbot.prompt import service as prompt_service
from hotelbot.settings import LlmPropertySettings, LlmProviderKind, LlmSettings

log = structlog.get_logger(__name__)


async def llm_session_for(
    session: AsyncSession,
    provider: LlmProvider | None,
    settings: LlmSettings,
    conversation: Conversation,
    prop: Property,
) -> LlmSession | None:
    started = time.monotonic()
    choice = settings.properties.get(str(prop.id)) or settings.properties.get(prop.slug)
    choice = choice or LlmPropertySettings()
    if provider is None or choice.provider is LlmProviderKind.NONE:
        return None
    budget = choice.daily_budget_usd or settings.daily_budget_usd
    if budget and await llm_usage.spent_today(session, prop.id) >= Decimal(str(budget)):
        metrics.LLM_TURNS.labels(outcome="over_budget").inc()
        log.info("engine.llm.over_budget", property_id=str(prop.id))
        return None

    async def recorder(calls: int, used: Usage, model: str, outcome: str) -> None:
        await llm_usage.record(
            session,
            property_id=prop.id,
            conversation_id=conversation.id,
            provider=provider.name,
            model=model,
            calls=calls,
            usage=used,
            cost=llm_usage.cost_usd(used, settings),
            outcome=outcome,
        )

    return LlmSession(
        provider=provider,
        settings=settings,
        model=choice.model or settings.model,
        templates=await prompt_service.active_templates(session, prop.id),
        history=await load_history(
            session,
            conversation.id,
            messages=settings.history_messages,
            tokens=settings.history_tokens,
        ),
        recorder=recorder,
        deadline=started + settings.turn_budget_seconds,
    )
