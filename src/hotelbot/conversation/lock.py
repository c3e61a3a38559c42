"""`conversation_lock(session, conversation_id)`: one turn at a time per conversation.

On PostgreSQL the conversation row is locked `FOR UPDATE` in the session's transaction, so the
lock spans processes and is released by the commit or rollback that ends the unit of work.
On SQLite a process-local `asyncio.Lock` per conversation is enough: SQLite has a single writer
(every transaction here begins IMMEDIATE) and the embedded mode is one process. Take the lock
before the session's first statement, so a transaction is never held while waiting for it.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.models import Conversation

# Weak values: a conversation nobody is processing costs no memory.
_local_locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()


@asynccontextmanager
async def conversation_lock(
    session: AsyncSession, conversation_id: uuid.UUID
) -> AsyncIterator[None]:
    """Hold the conversation's lock for the block (on Postgres: until the transaction ends)."""
    if session.get_bind().dialect.name == "postgresql":
        # The row lock outlives the block: it is released when session_scope commits.
        # NO KEY UPDATE: turns exclude each other, but a webhook inserting a message (whose
        # foreign key takes KEY SHARE on this row) is not blocked by a running turn.
        query = (
            select(Conversation.id)
            .where(Conversation.id == conversation_id)
            .with_for_update(key_share=True)
        )
        await session.execute(query)
        yield
        return
    lock = _local_locks.get(conversation_id)
    if lock is None:
        lock = _local_locks[conversation_id] = asyncio.Lock()
    async with lock:
        yield
