"""Conversation jobs. PLACEHOLDER: the queue work replaces this module.

Only `process_inbound` is registered, as a no-op, so the webhook can enqueue turns.
"""

from __future__ import annotations

from typing import Any

from hotelbot.kit.jobs import job


@job("conversation.process_inbound")
async def process_inbound(resources: Any, *, conversation_id: str) -> None:
    """Run the turns of a conversation's pending messages (not yet implemented here)."""
    return None
