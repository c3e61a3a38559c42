"""Idempotency keys of the built-in PMS: a key is claimed (a primary-key insert) in the same
transaction as the write it guards, so a retry gets the first result and a concurrent duplicate
waits on the key and fails."""

from __future__ import annotations

import hashlib
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.pms import errors
from hotelbot.pms.adapters.builtin.models import PmsIdempotencyKey


async def claim_key(
    session: AsyncSession, property_id: uuid.UUID, key: str, operation: str, digest: str
) -> str | None:
    """The earlier result for this key, or None after claiming it for this transaction."""
    existing = await session.get(PmsIdempotencyKey, (property_id, key))
    if existing is not None:
        if existing.operation != operation or existing.request_hash != digest:
            raise errors.IdempotencyConflict("idempotency key reused for a different request")
        return existing.result_ref
    session.add(
        PmsIdempotencyKey(
            property_id=property_id,
            key=key,
            operation=operation,
            request_hash=digest,
            result_ref="",
        )
    )
    await session.flush()
    return None


async def finish_key(
    session: AsyncSession, property_id: uuid.UUID, key: str, result_ref: str
) -> None:
    row = await session.get(PmsIdempotencyKey, (property_id, key))
    assert row is not None
    row.result_ref = result_ref
    await session.flush()


def request_hash(payload: str) -> str:
    return hashlib.sha256(payload.encode()).hexdigest()
