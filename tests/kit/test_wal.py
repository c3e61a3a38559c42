"""SQLite's log reaches the database file in the background, and commits no longer do it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import (
    WAL_AUTOCHECKPOINT_PAGES,
    create_engine,
    create_sessionmaker,
    session_scope,
)
from hotelbot.kit.wal import checkpointing

ROWS = 12_000  # ~1,300 log pages: past SQLite's default bound (1,000), below ours


async def write_notes(engine: AsyncEngine) -> None:
    rows = [{"body": f"note {n} " + "x" * 400} for n in range(ROWS)]
    async with session_scope(create_sessionmaker(engine)) as session:
        await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), rows)


async def test_commits_leave_the_log_to_the_background(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    database = tmp_path / "db.sqlite"
    before = database.stat().st_size
    await write_notes(sqlite_engine)
    # The commit returned without copying its pages into the database file...
    assert database.stat().st_size == before
    async with sqlite_engine.connect() as conn:
        bound = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
    assert bound == WAL_AUTOCHECKPOINT_PAGES
    # ...and the background checkpoint does.
    async with checkpointing(sqlite_engine, every=0.01):
        for _ in range(200):
            await asyncio.sleep(0.01)
            if database.stat().st_size > before + ROWS * 400:
                break
    assert database.stat().st_size > before + ROWS * 400


async def test_writers_and_readers_go_on_while_it_checkpoints(sqlite_engine: AsyncEngine) -> None:
    async with checkpointing(sqlite_engine, every=0.001):
        for _ in range(5):
            await write_notes(sqlite_engine)
            await asyncio.sleep(0.002)
    async with sqlite_engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    assert count == 5 * ROWS


async def test_nothing_runs_for_postgres() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    before = set(asyncio.all_tasks())
    async with checkpointing(engine, every=0.001):
        assert set(asyncio.all_tasks()) == before
    await engine.dispose()
