"""SQLite engines: writers take the lock at BEGIN, and the pool rolls back only what is open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import create_sessionmaker, session_scope


def other_writer(tmp_path: Path) -> sqlite3.Connection:
    """A second connection that gives up at once instead of waiting for the lock."""
    return sqlite3.connect(tmp_path / "db.sqlite", timeout=0, isolation_level=None)


async def test_a_transaction_holds_the_write_lock_from_its_begin(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    other = other_writer(tmp_path)
    async with session_scope(create_sessionmaker(sqlite_engine)) as session:
        await session.execute(text("SELECT 1"))  # reads only, yet the write lock is taken
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # released by the commit
    other.execute("ROLLBACK")
    other.close()


async def test_a_connection_given_back_mid_transaction_is_rolled_back(
    sqlite_engine: AsyncEngine, tmp_path: Path
) -> None:
    async with sqlite_engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute("INSERT INTO notes (body) VALUES ('left open')")
    # Back in the pool: the open transaction was undone and its lock released.
    other = other_writer(tmp_path)
    other.execute("BEGIN IMMEDIATE")
    assert other.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    other.execute("ROLLBACK")
    other.close()


async def test_a_committed_connection_goes_back_without_a_rollback(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rollbacks: list[Any] = []
    original = AsyncAdapt_aiosqlite_connection.rollback

    def counting(self: AsyncAdapt_aiosqlite_connection) -> None:
        rollbacks.append(self)
        original(self)

    monkeypatch.setattr(AsyncAdapt_aiosqlite_connection, "rollback", counting)
    sessionmaker = create_sessionmaker(sqlite_engine)
    async with session_scope(sessionmaker) as session:
        await session.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
    assert rollbacks == []
    async with sessionmaker() as session:
        assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 1
