"""Alembic environment of the PMS service: its own MetaData and version table."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from hotelbot.kit.db import create_engine
from hotelbot.pms.adapters.builtin.models import PmsBase
from hotelbot.pms.migrate import VERSION_TABLE

config = context.config
target_metadata = PmsBase.metadata


def _include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # The chatbot's tables may share this database; only ours are compared.
    return type_ != "table" or bool(name and name.startswith("pms_"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_object=_include_object,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(_run_async(config.get_main_option("sqlalchemy.url") or ""))


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
