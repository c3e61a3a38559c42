"""Append to and verify the hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting a
past entry breaks every hash after it (`verify()` finds where). Entries name actors and
subjects by id only: never a guest's phone number, name or message text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.models import AuditEntry

GENESIS = "0" * 64
#: Any constant: the advisory lock that serialises appends on PostgreSQL.
_CHAIN_LOCK = 0x6A75D17


def entry_hash(
    prev_hash: str,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any],
) -> str:
    canonical = json.dumps(
        [
            prev_hash,
            at.astimezone(UTC).isoformat(),
            actor,
            action,
            subject_type,
            subject_id,
            details,
        ],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Add an entry chained to the latest one. Flushes; the caller's unit of work commits."""
    if session.get_bind().dialect.name == "postgresql":
        # Two concurrent appends must not chain to the same predecessor.
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    # SQLite: every transaction holds the database's single write lock (BEGIN IMMEDIATE).
    latest = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    at = now or datetime.now(UTC)
    fields: dict[str, Any] = {
        "actor": actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details or {},
    }
    prev_hash = latest or GENESIS
    entry = AuditEntry(
        at=at, prev_hash=prev_hash, hash=entry_hash(prev_hash, at=at, **fields), **fields
    )
    session.add(entry)
    await session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    entries: int
    #: Id of the first entry whose hash or link does not match, or None when the chain holds.
    broken_at: int | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(session: AsyncSession) -> ChainReport:
    """Recompute the chain from the first entry."""
    prev_hash = GENESIS
    count = 0
    for entry in await session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        expected = entry_hash(
            prev_hash,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=entry.subject_id,
            details=entry.details,
        )
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return ChainReport(entries=count, broken_at=entry.id)
        prev_hash = entry.hash
        count += 1
    return ChainReport(entries=count, broken_at=None)
