"""Guests are found by the blind index of their WhatsApp id, created once, names kept current."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.guest import service as guest_service
from hotelbot.models import Guest

WA_ID = "491701234567"


async def test_find_or_create_creates_then_finds_the_same_guest(session: AsyncSession) -> None:
    created = await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas Weber")
    await session.commit()
    found = await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas Weber")
    assert found.id == created.id
    assert (found.phone, found.name) == (WA_ID, "Jonas Weber")
    assert await session.scalar(select(func.count()).select_from(Guest)) == 1


async def test_phone_and_name_are_not_stored_in_clear(session: AsyncSession) -> None:
    await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas Weber")
    await session.commit()
    row = (await session.execute(text("SELECT phone_hash, phone, name FROM guests"))).one()
    dump = "".join(str(value) for value in row)
    assert WA_ID not in dump
    assert "Jonas" not in dump


async def test_changed_profile_name_is_stored(session: AsyncSession) -> None:
    await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas")
    await session.commit()
    await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas Weber")
    await session.commit()
    session.expunge_all()
    guest = await guest_service.get_by_wa_id(session, WA_ID)
    assert guest is not None and guest.name == "Jonas Weber"


async def test_missing_profile_name_keeps_the_known_one(session: AsyncSession) -> None:
    await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="Jonas")
    guest = await guest_service.find_or_create(session, wa_id=WA_ID, profile_name=None)
    assert guest.name == "Jonas"


async def test_different_numbers_are_different_guests(session: AsyncSession) -> None:
    one = await guest_service.find_or_create(session, wa_id=WA_ID, profile_name=None)
    two = await guest_service.find_or_create(session, wa_id="491709999999", profile_name=None)
    assert one.id != two.id


async def test_concurrent_first_messages_create_one_guest(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def arrive() -> uuid.UUID:
        async with sessionmaker() as session:
            guest = await guest_service.find_or_create(session, wa_id=WA_ID, profile_name="J")
            await session.commit()
            return guest.id

    ids = await asyncio.gather(*(arrive() for _ in range(5)))
    assert len(set(ids)) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Guest)) == 1
