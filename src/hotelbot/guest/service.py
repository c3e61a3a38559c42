"""Guests: find-or-create by the blind index of their WhatsApp id; number and name stay encrypted.

`find_or_create` is safe when the same new guest writes through several requests at once: the
insert is `ON CONFLICT DO NOTHING` on the unique `phone_hash`, then the row is read back, so
every caller gets the one row, on SQLite and on Postgres alike.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.kit import crypto
from hotelbot.models import Guest


def phone_hash(wa_id: str) -> str:
    return crypto.installed().blind_index(wa_id)


async def get_by_wa_id(session: AsyncSession, wa_id: str) -> Guest | None:
    query = select(Guest).where(Guest.phone_hash == phone_hash(wa_id))
    return (await session.execute(query)).scalar_one_or_none()


async def find_or_create(session: AsyncSession, *, wa_id: str, profile_name: str | None) -> Guest:
    """The guest with this WhatsApp id, created if new; the stored name follows the profile."""
    guest = await get_by_wa_id(session, wa_id)
    if guest is None:
        await _insert_if_absent(session, wa_id=wa_id, profile_name=profile_name)
        guest = await get_by_wa_id(session, wa_id)
        if guest is None:  # pragma: no cover - the row exists once the insert returned
            raise RuntimeError("guest row missing after insert")
    if profile_name and guest.name != profile_name:
        guest.name = profile_name
        await session.flush()
    return guest


async def _insert_if_absent(session: AsyncSession, *, wa_id: str, profile_name: str | None) -> None:
    insert = postgresql.insert if _dialect(session) == "postgresql" else sqlite.insert
    # Column types are applied by the table, so phone and name are encrypted here too.
    statement = (
        insert(Guest)
        .values(id=uuid.uuid4(), phone_hash=phone_hash(wa_id), phone=wa_id, name=profile_name)
        .on_conflict_do_nothing(index_elements=[Guest.phone_hash])
    )
    await session.execute(statement)


def _dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name
