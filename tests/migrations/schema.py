"""What `alembic check` checks, for any of our migration sets: the database against models."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlalchemy.ext.asyncio import AsyncEngine


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # The chatbot's, the PMS's and the queue's tables may share one database; each set of
    # tables has its own migrations, so tables of another set are not differences.
    return not (type_ == "table" and reflected and compare_to is None)


async def schema_diff(
    engine: AsyncEngine, metadata: MetaData, *, version_table: str = "alembic_version"
) -> list[Any]:
    """The differences between the migrated database and `metadata` ([] when they agree)."""

    def diff(connection: Any) -> list[Any]:
        opts = {"compare_type": True, "include_object": _ours, "version_table": version_table}
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(diff)


async def table_names(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
