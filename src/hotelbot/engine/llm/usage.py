"""Tokens and estimated cost: per turn into `llm_usage` and the metrics, summed per
conversation and property; the daily budget that sends a property back to the offline engine."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.engine.llm.schemas import Usage
from hotelbot.models import LlmUsage
from hotelbot.settings import LlmSettings

_MILLION = Decimal(1_000_000)


def cost_usd(usage: Usage, settings: LlmSettings) -> Decimal:
    prompt = Decimal(str(settings.input_usd_per_million)) * usage.prompt_tokens
    completion = Decimal(str(settings.output_usd_per_million)) * usage.completion_tokens
    return ((prompt + completion) / _MILLION).quantize(Decimal("0.000001"))


def utc_day(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


async def spent_today(
    session: AsyncSession, property_id: uuid.UUID, *, now: datetime | None = None
) -> Decimal:
    query = select(func.coalesce(func.sum(LlmUsage.cost_usd), 0)).where(
        LlmUsage.property_id == property_id, LlmUsage.day == utc_day(now)
    )
    return Decimal(str((await session.execute(query)).scalar_one()))


async def record(
    session: AsyncSession,
    *,
    property_id: uuid.UUID,
    conversation_id: uuid.UUID,
    provider: str,
    model: str,
    calls: int,
    usage: Usage,
    cost: Decimal,
    outcome: str,
) -> None:
    """One row per turn that called a model, and the metrics. Flushes nothing: the turn's unit
    of work commits it with the replies."""
    session.add(
        LlmUsage(
            property_id=property_id,
            conversation_id=conversation_id,
            day=utc_day(),
            provider=provider,
            model=model[:100],
            calls=calls,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=cost,
            outcome=outcome,
        )
    )
    label = str(property_id)
    metrics.LLM_TOKENS.labels(property=label, kind="prompt").inc(usage.prompt_tokens)
    metrics.LLM_TOKENS.labels(property=label, kind="completion").inc(usage.completion_tokens)
    metrics.LLM_COST.labels(property=label).inc(float(cost))


async def totals(
    session: AsyncSession, *, conversation_id: uuid.UUID | None = None,
    property_id: uuid.UUID | None = None,
) -> tuple[int, int, Decimal]:  # fmt: skip
    """Prompt tokens, completion tokens and cost so far, for one conversation or property."""
    query = select(
        func.coalesce(func.sum(LlmUsage.prompt_tokens), 0),
        func.coalesce(func.sum(LlmUsage.completion_tokens), 0),
        func.coalesce(func.sum(LlmUsage.cost_usd), 0),
    )
    if conversation_id is not None:
        query = query.where(LlmUsage.conversation_id == conversation_id)
    if property_id is not None:
        query = query.where(LlmUsage.property_id == property_id)
    prompt, completion, cost = (await session.execute(query)).one()
    return int(prompt), int(completion), Decimal(str(cost))
