"""SQLite's write-ahead log is copied into the database file in the background, not by commits.

Why this exists: in WAL mode the connection whose commit takes the log past
`wal_autocheckpoint` pages copies the whole log into the database file (and fsyncs) inside
that commit. For the webhook's group commit that is every delivery of a batch waiting 5-8 ms,
about one batch in twelve under load, ~8 % of the ingest's wall time
(docs/decisions/0004-webhook-ingest.md, item 8). `checkpointing(engine)` runs a PASSIVE
checkpoint every `every` seconds on a pooled connection, whose aiosqlite thread does the I/O
while the event loop serves requests; the engine's connections checkpoint by themselves only
past `db.WAL_AUTOCHECKPOINT_PAGES`, a bound for processes or bursts it does not keep up with.

A PASSIVE checkpoint takes no write lock and never waits: writers and readers go on while it
copies, and it copies only frames no reader still needs. Durability is unchanged: each commit
is in the log, as before (`synchronous=NORMAL`), whoever checkpoints it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import is_sqlite

log = structlog.get_logger(__name__)

#: Seconds between background checkpoints.
CHECKPOINT_EVERY = 0.25


@contextlib.asynccontextmanager
async def checkpointing(
    engine: AsyncEngine, *, every: float = CHECKPOINT_EVERY
) -> AsyncIterator[None]:
    """Checkpoint a file SQLite database's log every `every` seconds while inside; else nothing."""
    if not _has_wal(engine):
        yield
        return
    task = asyncio.create_task(_checkpoint_forever(engine, every), name="sqlite-wal-checkpoint")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def checkpoint(engine: AsyncEngine) -> None:
    """Copy what the log holds into the database file, without blocking writers or readers."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        # Straight to the driver: through SQLAlchemy the connection would BEGIN IMMEDIATE
        # (kit/db.py) and hold the write lock for nothing.
        await driver.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")


async def _checkpoint_forever(engine: AsyncEngine, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await checkpoint(engine)
        except (DBAPIError, OSError) as error:
            # Commits still checkpoint past the fallback bound; say why this one failed.
            log.warning("sqlite.wal_checkpoint_failed", error=type(error).__name__)


def _has_wal(engine: AsyncEngine) -> bool:
    database = engine.url.database
    in_memory = not database or database == ":memory:" or "mode=memory" in str(engine.url)
    return is_sqlite(str(engine.url)) and not in_memory
