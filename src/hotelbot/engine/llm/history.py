"""The conversation history a model sees: the last messages of this conversation, redacted,
bounded in messages and (estimated) tokens, oldest first. Loaded per turn from the messages
table by `build_turn_context`; the turn being answered is not part of it."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.engine.llm.schemas import ChatMessage
from hotelbot.kit.redact import redact
from hotelbot.models import Direction, Message, MessageStatus


def estimate_tokens(text: str) -> int:
    """About four characters per token: enough to bound a prompt, not to bill it."""
    return math.ceil(len(text) / 4)


async def load_history(
    session: AsyncSession, conversation_id: uuid.UUID, *, messages: int, tokens: int
) -> tuple[ChatMessage, ...]:
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.status != MessageStatus.PENDING)
        .order_by(Message.created_at.desc())
        .limit(messages)
    )
    rows = list((await session.execute(query)).scalars())
    return bound(
        [m for m in (_chat_message(row) for row in reversed(rows)) if m is not None], tokens
    )


def bound(history: list[ChatMessage], tokens: int) -> tuple[ChatMessage, ...]:
    """The newest messages whose estimated tokens fit `tokens`, oldest first."""
    kept: list[ChatMessage] = []
    used = 0
    for message in reversed(history):
        cost = estimate_tokens(message.content or "")
        if used + cost > tokens:
            break
        kept.append(message)
        used += cost
    return tuple(reversed(kept))


def _chat_message(row: Message) -> ChatMessage | None:
    if row.direction == Direction.INBOUND:
        text = row.text or ""
        return ChatMessage(role="user", content=redact(text)) if text.strip() else None
    text = _outbound_text(row.payload or {})
    return ChatMessage(role="assistant", content=redact(text)) if text else None


def _outbound_text(payload: dict[str, Any]) -> str:
    """What the guest read of a reply we sent (Graph send body)."""
    if payload.get("type") == "text":
        return str((payload.get("text") or {}).get("body", ""))
    interactive = payload.get("interactive") or {}
    return str((interactive.get("body") or {}).get("text", ""))
