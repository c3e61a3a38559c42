"""The built-in PMS's migrations build exactly the tables its models describe, both ways."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.pms import migrate
from hotelbot.pms.adapters.builtin.models import PmsBase


def _ours(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # The chatbot's and the queue's tables may share the database; they have their own history.
    return not (type_ == "table" and reflected and compare_to is None)


async def _diff(engine: AsyncEngine) -> list[Any]:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": _ours,
                "version_table": migrate.VERSION_TABLE,
            },
        )
        return list(compare_metadata(context, PmsBase.metadata))

    async with engine.connect() as connection:
        return await connection.run_sync(diff)


async def test_migrated_pms_schema_matches_the_models(pms_engine: AsyncEngine) -> None:
    assert await _diff(pms_engine) == []


async def test_pms_downgrade_to_base_and_upgrade_again(pms_engine: AsyncEngine) -> None:
    await migrate.downgrade(pms_engine, "base")
    async with pms_engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert not tables & set(PmsBase.metadata.tables)
    await migrate.upgrade(pms_engine)
    assert await _diff(pms_engine) == []
