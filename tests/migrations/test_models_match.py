"""The migrations build exactly the schema the models describe (what `alembic check` checks)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot import migrate, models  # noqa: F401  (models registers every table)
from hotelbot.kit.db import Base


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # The PMS's and the queue's tables may share the database; they have their own migrations.
    return not (type_ == "table" and reflected and compare_to is None)


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _ours}
        )
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_downgrade_to_base_and_upgrade_again(engine: AsyncEngine) -> None:
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert not tables & set(Base.metadata.tables)
    await migrate.upgrade(engine)
    await test_migrated_schema_matches_the_models(engine)
