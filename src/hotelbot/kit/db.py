"""SQLAlchemy plumbing: declarative base, engine and session factories, `session_scope()`.

Services never commit; `session_scope()` (workers) and the API's session dependency do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import PoolResetState

from hotelbot.kit import jobs

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: Log pages past which a committing SQLite connection checkpoints by itself (SQLite's default
#: is 1,000). Set high because `kit.wal.checkpointing` does it in the background, off the
#: commits; it still bounds the log (~40 MB) where that does not run or does not keep up.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 20, echo: bool = False
) -> AsyncEngine:
    """An async engine with the per-dialect settings the app relies on.

    `hide_parameters`: a database error's text would otherwise list the bound values (message
    text, guest names) and reach the logs through `exc_info`.
    """
    if is_sqlite(url):
        engine = create_async_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"timeout": 30},
            pool_size=5,
            max_overflow=5,
            pool_reset_on_return=None,  # _sqlite_reset does it, when there is anything to reset
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the single writer; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()
    # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None


def _sqlite_begin_immediate(connection: Any) -> None:
    # A deferred BEGIN that later writes can fail with "database is locked" without waiting;
    # taking the write lock up front makes concurrent writers queue on busy_timeout instead.
    # Sent straight to the driver: each call into aiosqlite is a trip to its thread and back,
    # and a SQLAlchemy cursor takes three (open, execute, close) where this takes one.
    connection.connection.dbapi_connection.run_async(
        lambda driver: driver.execute_fetchall("BEGIN IMMEDIATE")
    )


def _sqlite_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
    """Roll back a connection going back to the pool if, and only if, a transaction is open.

    SQLAlchemy's default rolls back every time, which on aiosqlite is one more trip to its
    thread per transaction, though after a commit or rollback there is nothing left to undo.
    """
    if state.terminate_only or not state.asyncio_safe:
        return
    if dbapi_connection.driver_connection.in_transaction:
        dbapi_connection.rollback()


def create_sessionmaker(
    engine: AsyncEngine, *, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep attributes after commit; `info` carries the job queue (kit.jobs)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info or {})


@asynccontextmanager
async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit, then dispatch enqueued jobs; on error roll back, drop them."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            jobs.discard_enqueued(session)
            await session.rollback()
            raise
        await jobs.dispatch_after_commit(session)
