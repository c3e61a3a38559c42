"""Alembic, run programmatically: one migration set per MetaData, each with its version table.

`MigrationSet.upgrade(engine)` runs a set over the app's own async engine (start-up, tests,
`hotelbot migrate`); `run_env()` is the whole body of each set's `env.py`. Batch mode is on so
SQLite can ALTER; offline (SQL script) mode is not supported.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import create_engine

FILE_TEMPLATE = "%%(year)d-%%(month).2d-%%(day).2d-%%(hour).2d%%(minute).2d_%%(slug)s"

IncludeObject = Callable[..., bool]


@dataclass(frozen=True)
class MigrationSet:
    location: Path
    version_table: str = "alembic_version"

    def config(self, connection: Connection | None = None) -> Config:
        # Alembic announces each of its plugins at INFO on every run; only migrations matter.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
        config = Config()
        config.set_main_option("script_location", str(self.location))
        config.set_main_option("file_template", FILE_TEMPLATE)
        if connection is not None:
            config.attributes["connection"] = connection
        return config

    async def upgrade(self, engine: AsyncEngine, revision: str = "head") -> None:
        """Bring the database up to `revision` (idempotent)."""
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.upgrade(self.config(c), revision))

    async def downgrade(self, engine: AsyncEngine, revision: str = "base") -> None:
        async with engine.begin() as connection:
            await connection.run_sync(lambda c: command.downgrade(self.config(c), revision))


def run_env(
    metadata: MetaData,
    *,
    version_table: str = "alembic_version",
    include_object: IncludeObject | None = None,
) -> None:
    """The body of an `env.py`: migrate over the connection handed in, or the configured URL."""
    if context.is_offline_mode():
        raise SystemExit("offline (SQL script) migrations are not supported")

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            include_object=include_object,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_on_url(url: str) -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()
        await engine.dispose()

    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
    else:
        asyncio.run(run_on_url(config.get_main_option("sqlalchemy.url") or ""))
