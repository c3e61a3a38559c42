import asyncio
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.audit import service as audit_service
from hotelbot.kit.db import session_scope
from hotelbot.models import AuditEntry


async def _append(session: AsyncSession, n: int) -> AuditEntry:
    return await audit_service.append(
        session,
        actor="system",
        action="conversation.handoff",
        subject_type="conversation",
        subject_id=f"c-{n}",
        details={"reason": "guest_request"},
    )


async def test_entries_chain_and_verify(session: AsyncSession) -> None:
    first = await _append(session, 1)
    second = await _append(session, 2)
    assert first.prev_hash == audit_service.GENESIS
    assert second.prev_hash == first.hash
    report = await audit_service.verify(session)
    assert (report.entries, report.intact) == (2, True)


async def test_editing_a_past_entry_breaks_the_chain_there(session: AsyncSession) -> None:
    entries = [await _append(session, n) for n in range(3)]
    await session.execute(
        update(AuditEntry).where(AuditEntry.id == entries[1].id).values(action="tampered")
    )
    session.expire_all()
    report = await audit_service.verify(session)
    assert report.broken_at == entries[1].id


async def test_deleting_a_past_entry_breaks_the_chain(session: AsyncSession) -> None:
    entries = [await _append(session, n) for n in range(3)]
    await session.delete(entries[1])
    await session.flush()
    assert (await audit_service.verify(session)).broken_at == entries[2].id


async def test_concurrent_appends_form_one_chain(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async def one(n: int) -> None:
        async with session_scope(sessionmaker) as session:
            await _append(session, n)

    await asyncio.gather(*(one(n) for n in range(10)))
    async with sessionmaker() as session:
        report = await audit_service.verify(session)
    assert (report.entries, report.intact) == (10, True)


def test_hash_depends_on_every_field() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    base = dict(at=at, actor="a", action="b", subject_type="c", subject_id="d", details={"x": 1})
    reference = audit_service.entry_hash("0" * 64, **base)  # type: ignore[arg-type]
    for key, value in [("actor", "z"), ("action", "z"), ("subject_id", "z"), ("details", {"x": 2})]:
        assert audit_service.entry_hash("0" * 64, **(base | {key: value})) != reference  # type: ignore[arg-type]
    assert audit_service.entry_hash("1" * 64, **base) != reference  # type: ignore[arg-type]
